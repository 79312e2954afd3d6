/**
 * An approver who answers nobody until `count` approvals are pending together, then answers each with
 * `answer`: asked one after the other, a run that needs them at once never gets that far (the test times
 * out). `pending` lists what was asked, as `<job> @ <environment>`.
 */
export function approveTogether<A>(count: number, answer: (job: string, environment: string) => A) {
  const pending: string[] = [];
  let allAsked = () => {};
  const together = new Promise<void>((resolve) => {
    allAsked = resolve;
  });
  const approve = async (job: string, environment: string): Promise<A> => {
    pending.push(`${job} @ ${environment}`);
    if (pending.length === count) allAsked();
    await together;
    return answer(job, environment);
  };
  return { approve, pending };
}
