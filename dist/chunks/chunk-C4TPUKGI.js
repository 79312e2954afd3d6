import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as r,c as i}from"./chunk-MYETWC24.js";var o=i((p,e)=>{e.exports=r("node:timers/promises")});export{o as a};
