import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{c as e,f as t}from"./chunk-2RABLU3W.js";import{m as r}from"./chunk-QXM2XWMM.js";var a=r({count:e(),next:t(e()),prev:t(e())});export{a};
