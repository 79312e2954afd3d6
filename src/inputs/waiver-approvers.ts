import type { InputDeclarations } from '../runner/declared-inputs.js';

/** Who may waive the rules that need an approver: the same two inputs on every gating action. */
export const WAIVER_APPROVER_INPUTS = {
  'waiver-approvers': {
    kind: 'file',
    description:
      "Who may waive the rules at or above a policy's waivers.approvalRequiredAt (default critical): a CODEOWNERS-style file of @login, @org/team-slug or email entries. Default .github/deploy-gates/approvers when it exists; without a file no one may.",
  },
  'waiver-approvers-token': {
    kind: 'secret',
    secret: true,
    description:
      'Secret token that reads team memberships (GET /orgs/{org}/teams/{team_slug}/memberships/{username}; "Members" read or read:org) for the @org/team entries of the approvers file. Masked.',
  },
} as const satisfies InputDeclarations;
