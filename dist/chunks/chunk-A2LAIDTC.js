import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
function n(r){return{repository:r.repository,runId:r.runId,runAttempt:r.runAttempt,workflow:r.workflow,job:r.job,step:r.action,sha:r.sha,ref:r.ref,actor:r.actor}}export{n as a};
