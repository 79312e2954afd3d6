import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a,b}from"./chunk-DGMKSJ4X.js";import"./chunk-MYETWC24.js";export{a as exec,b as getExecOutput};
