/**
 * The post-mortem checklist, taken from the playbook: the rollback's validation and communication steps
 * (deployment playbook, "Rollback Procedures", steps 3 and 4), the post-incident actions of the operations
 * guide ("System Outage Response", 1-24 hours), the patient-safety duties ("Emergency Procedures") and the
 * lessons-learned practice ("Continuous Improvement"). Each group names where it comes from, so a reviewer
 * can check it against the playbook.
 */
export interface ChecklistGroup {
  title: string;
  source: string;
  items: string[];
}

export const POST_MORTEM_CHECKLIST: readonly ChecklistGroup[] = [
  {
    title: 'Validation',
    source: 'Deployment playbook, Rollback Procedures, Step 3: Validation',
    items: [
      'Verify system stability (health checks; the automated verify pass is in the table above)',
      'Validate data integrity (row counts against the backup manifest; reconcile rows written after the backup from the safety backup)',
      'Confirm compliance restored (LGPD, ANVISA and CFM status endpoints)',
    ],
  },
  {
    title: 'Communication',
    source: 'Deployment playbook, Rollback Procedures, Step 4: Communication',
    items: [
      'Notify stakeholders of rollback',
      'Update incident ticket DEPLOYMENT_FAILURE_ROLLBACK',
      'Schedule post-mortem',
    ],
  },
  {
    title: 'Post-incident (1-24 hours)',
    source: 'Operations guide, Emergency Procedures, System Outage Response, Post-Incident',
    items: [
      'Root Cause Analysis: document findings',
      'Process Review: update procedures',
      'Stakeholder Debrief: share outcomes',
      'Compliance Reporting: document as required',
    ],
  },
  {
    title: 'Patient safety',
    source: 'Deployment playbook, Emergency Procedures, Patient Safety Incident',
    items: [
      'Assessment: evaluate impact on patient care (notify the medical director of any impact)',
      'Communication: notify affected clinics and patients where care was affected',
      'Documentation: record incident details for compliance',
    ],
  },
  {
    title: 'Lessons learned',
    source: 'Deployment playbook, Continuous Improvement, Lessons Learned and Process Optimization',
    items: [
      'Document all deployment challenges and solutions',
      'Identify process improvements for future deployments',
      'Update deployment playbooks based on experience',
      'Enhance rollback procedures',
      'Share learnings with the broader team',
    ],
  },
];

/** The checklist as Markdown task lists, one heading per group. */
export function checklistMarkdown(groups: readonly ChecklistGroup[] = POST_MORTEM_CHECKLIST): string {
  const parts = ['### Post-mortem checklist', ''];
  for (const group of groups) {
    parts.push(`#### ${group.title}`, `<sub>${group.source}</sub>`, '');
    for (const item of group.items) parts.push(`- [ ] ${item}`);
    parts.push('');
  }
  return parts.join('\n');
}
