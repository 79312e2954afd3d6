import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as t,b as l,c as s,f as e,g as p}from"./chunk-2RABLU3W.js";import{l as a,o,p as r}from"./chunk-QXM2XWMM.js";var m=p([t(),s(),a(e(r(()=>m))),o(e(r(()=>m))),l()]);export{m as a};
