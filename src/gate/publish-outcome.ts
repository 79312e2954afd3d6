import type { GateOutcome } from '../policy/types.js';
import { toAnnotations } from '../report/annotations.js';
import { toJsonReport } from '../report/json-report.js';
import { toJUnit } from '../report/junit.js';
import { toSarif } from '../report/sarif.js';
import { type SummaryOptions, toSummaryMarkdown } from '../report/summary.js';
import { writeReportFile } from '../report/write-file.js';
import type { RunContext, Runner } from '../runner/runner.js';
import { TOOL_NAME, TOOL_URI, TOOL_VERSION } from '../version.js';
import type { GateInputs } from './gate-inputs.js';
import { runIdentity } from './run-identity.js';

export class GateFailedError extends Error {
  override readonly name = 'GateFailedError';
}

/**
 * Writes every report of one outcome (JSON always; SARIF and JUnit when asked), the job summary, the
 * annotations and the outputs; then fails the step when an enforcing gate decided "fail". A gate whose
 * readers need another summary layout passes its own `renderSummary` (default: the generic table); the
 * action's details (what it measured) follow the decision.
 */
export async function publishOutcome(
  runner: Runner,
  ctx: RunContext,
  outcome: GateOutcome,
  files: Pick<GateInputs, 'reportFile' | 'sarifFile' | 'junitFile'>,
  title: string,
  summaryDetails = '',
  renderSummary: (outcome: GateOutcome, opts: SummaryOptions) => string = toSummaryMarkdown,
): Promise<void> {
  const report = toJsonReport(outcome, {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    run: runIdentity(ctx),
  });
  await writeReportFile(files.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  if (files.sarifFile) {
    const sarif = toSarif(outcome, {
      toolVersion: TOOL_VERSION,
      informationUri: TOOL_URI,
      workflowFile: ctx.workflowFile,
    });
    await writeReportFile(files.sarifFile, `${JSON.stringify(sarif, null, 2)}\n`);
  }
  if (files.junitFile) await writeReportFile(files.junitFile, toJUnit(outcome));

  // The decision comes first, under the gate's own heading; what was measured follows as its subsections.
  const decision = renderSummary(outcome, { title, reportPath: files.reportFile });
  await runner.appendSummary(summaryDetails ? `${decision.trimEnd()}\n\n${summaryDetails}` : decision);
  // One error slot is kept for the step's own failure line below.
  for (const a of toAnnotations(outcome, { maxErrors: 9, maxWarnings: 10 })) {
    const target = {
      title: a.title,
      ...(a.file ? { file: a.file } : {}),
      ...(a.startLine ? { startLine: a.startLine } : {}),
    };
    if (a.level === 'error') runner.error(a.message, target);
    else if (a.level === 'warning') runner.warning(a.message, target);
    else runner.notice(a.message, target);
  }

  const { counts } = outcome;
  runner.setOutput('decision', outcome.decision);
  runner.setOutput('failed', counts.failed);
  runner.setOutput('waived', counts.waived);
  runner.setOutput('passed', counts.passed);
  runner.setOutput('not-checked', counts.notChecked);
  runner.setOutput('report', files.reportFile);
  runner.info(
    `${title}: ${outcome.decision} (${counts.passed} passed, ${counts.failed} failed, ${counts.waived} waived, ${counts.notChecked} not checked of which ${counts.notCheckedRequired} required; fail-on ${outcome.failOn}, mode ${outcome.mode})`,
  );

  if (outcome.decision === 'fail') {
    const ids = outcome.blocking.map((r) => r.ruleId).join(', ');
    if (outcome.mode === 'audit') {
      runner.warning(`${title} would fail (audit mode, not enforced): ${ids}`);
      return;
    }
    const missing =
      counts.notCheckedRequired > 0
        ? ` (${counts.notCheckedRequired} not checked: a required fact is missing)`
        : '';
    throw new GateFailedError(
      `${title} failed: ${outcome.blocking.length} rule(s) at or above ${outcome.failOn} did not pass${missing}: ${ids}`,
    );
  }
}
