import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as s,c as a,e as n}from"./chunk-MYETWC24.js";var t=a((o,r)=>{r.exports=s("node:crypto")});var e=n(t(),1);function h(i){return(0,e.createHash)("sha256").update(i).digest("hex")}export{h as a};
