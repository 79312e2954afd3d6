import { escapeMarkdownInline as md } from '../report/markdown-escape.js';
import type { ApprovalVerdict } from './judge.js';

/** What the run page shows of the approval: who signed, when by GitHub's record, and whether it holds. */
export function approvalSummary(v: ApprovalVerdict, evidencePath: string): string {
  const head =
    v.problems.length === 0
      ? `## ✅ Approval of ${md(v.environment)} holds: approved inside the change window, ${v.ageMinutes} min ago`
      : v.state === 'rejected'
        ? `## ❌ ${md(v.environment)} was rejected: nothing is changed`
        : `## ❌ The approval of ${md(v.environment)} does not hold: nothing is changed`;
  const reviews =
    v.reviews.length === 0
      ? ['GitHub has no review of this environment for this run.']
      : [
          '| Reviewer | Decision | Comment | Environments |',
          '| --- | --- | --- | --- |',
          ...v.reviews.map(
            (r) =>
              `| @${md(r.user)} | ${r.state} | ${md(r.comment) || '(none)'} | ${md(r.environments.join(', '))} |`,
          ),
        ];
  const times: [string, string][] = [
    ['Change window', `${md(v.window)} ${md(v.timezone)}`],
    [
      'Approved (by GitHub’s record)',
      v.approvedBy
        ? `at or before ${md(v.approvedBy)} (${md(v.approvedAtLocal ?? '')} local, ${v.approvedInsideWindow ? 'inside' : 'outside'} the window); the review log keeps no time, this is when GitHub completed the job that waited for it`
        : 'unknown',
    ],
    [
      'Now (GitHub’s clock)',
      v.githubNow
        ? `${md(v.githubNow)} (${md(v.githubNowLocal ?? '')} local, ${v.nowInsideWindow ? 'inside' : 'outside'} the window)`
        : 'unknown',
    ],
    ['Age', v.ageMinutes === undefined ? 'unknown' : `${v.ageMinutes} min of at most ${v.maxAgeMinutes}`],
    [
      'First change (GitHub’s record)',
      v.firstChange
        ? `${md(v.firstChange.job)} started at ${md(v.firstChange.startedAt)} (${md(v.firstChange.startedAtLocal)} local)`
        : 'unknown',
    ],
    [
      `Deadline (first change + ${v.maxDurationMinutes} min)`,
      v.deadline
        ? `${md(v.deadline)} (${md(v.deadlineLocal ?? '')} local${v.deadlinePassed ? ', passed' : ''})`
        : 'unknown',
    ],
    [
      'Already changed',
      v.changed.map((j) => `${md(j.job)} (${md(j.conclusion ?? 'no result')})`).join(', ') || 'nothing yet',
    ],
  ];
  const signOff = v.signOff
    ? [
        `### Sign-off (${md(v.signOff.file)}; self-approval ${v.signOff.selfApproval ? 'allowed' : 'not allowed'})`,
        '',
        '| Role | Environment | Signed by | Approvals | Rejections |',
        '| --- | --- | --- | --- | --- |',
        ...v.signOff.roles.map(
          (r) =>
            `| ${md(r.role)} | ${md(r.environment)} | ${r.signer ? `✅ @${md(r.signer)}` : '❌ nobody'} | ${r.approvedBy.map((u) => `@${md(u)}`).join(', ') || '(none)'} | ${r.rejectedBy.map((u) => `@${md(u)}`).join(', ') || '(none)'} |`,
        ),
        '',
      ]
    : [];
  return [
    head,
    '',
    '### Reviews (GitHub’s review log of this run)',
    '',
    ...reviews,
    '',
    ...signOff,
    '### Times',
    '',
    '| | |',
    '| --- | --- |',
    ...times.map(([k, val]) => `| ${k} | ${val} |`),
    '',
    ...(v.problems.length > 0
      ? ['### Why it does not hold', '', ...v.problems.map((p) => `- ${md(p)}`), '']
      : []),
    `Evidence: ${md(evidencePath)}`,
    '',
  ].join('\n');
}
