import type { Octokit } from '../github/octokit.js';
import { startMarker } from './body.js';

export type { Octokit };

export interface IssueRef {
  number: number;
  url: string;
  title: string;
  body: string;
  labels: string[];
}

function toIssue(data: unknown): IssueRef {
  const d = data as Record<string, unknown> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    !Number.isInteger(d.number) ||
    typeof d.html_url !== 'string' ||
    typeof d.title !== 'string' ||
    !(d.body === null || d.body === undefined || typeof d.body === 'string')
  ) {
    throw new Error('GitHub answered with something that is not an issue (no number, html_url or title)');
  }
  const labels = Array.isArray(d.labels)
    ? d.labels.map((l) => (typeof l === 'string' ? l : ((l as { name?: unknown })?.name ?? ''))).map(String)
    : [];
  return { number: d.number as number, url: d.html_url, title: d.title, body: d.body ?? '', labels };
}

/**
 * The incident issue of one workflow run on GitHub: found by the marker with the run id in its body (so a
 * re-run, on any runner, updates the issue an earlier attempt opened instead of opening another).
 */
export class IncidentIssues {
  constructor(
    private readonly octokit: Octokit,
    private readonly repo: { owner: string; repo: string },
    private readonly runId: string,
    readonly label: string,
  ) {}

  async get(number: number): Promise<IssueRef> {
    const { data } = await this.octokit.rest.issues.get({ ...this.repo, issue_number: number });
    return toIssue(data);
  }

  /** The newest issue with the label whose body holds this run's marker (pull requests excluded). */
  async findByMarker(): Promise<IssueRef | undefined> {
    const marker = startMarker(this.runId);
    let found: IssueRef | undefined;
    await this.octokit.paginate(
      this.octokit.rest.issues.listForRepo,
      { ...this.repo, labels: this.label, state: 'all', sort: 'created', direction: 'desc', per_page: 100 },
      (response, done) => {
        for (const item of response.data as unknown[]) {
          if ((item as { pull_request?: unknown }).pull_request) continue;
          const issue = toIssue(item);
          if (issue.body.includes(marker)) {
            found = issue;
            done();
            break;
          }
        }
        return [];
      },
    );
    return found;
  }

  async create(title: string, body: string): Promise<IssueRef> {
    const { data } = await this.octokit.rest.issues.create({
      ...this.repo,
      title,
      body,
      labels: [this.label],
    });
    return toIssue(data);
  }

  async update(number: number, body: string): Promise<IssueRef> {
    const { data } = await this.octokit.rest.issues.update({ ...this.repo, issue_number: number, body });
    return toIssue(data);
  }

  async addLabel(number: number): Promise<void> {
    await this.octokit.rest.issues.addLabels({ ...this.repo, issue_number: number, labels: [this.label] });
  }
}
