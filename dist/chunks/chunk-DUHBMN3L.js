import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
var n=class extends Error{constructor(e,o,t){super(`Input "${e}": ${o}. ${t}`);this.input=e;this.problem=o;this.fix=t}input;problem;fix;name="InputError"};function a(r){return r instanceof Error?r.message:String(r)}export{n as a,a as b};
