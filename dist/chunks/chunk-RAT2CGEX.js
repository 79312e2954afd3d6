import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a}from"./chunk-KPTYE5I5.js";import{e}from"./chunk-MYETWC24.js";var r=e(a(),1);function i(t){return(0,r.createHash)("sha256").update(t).digest("hex")}export{i as a};
