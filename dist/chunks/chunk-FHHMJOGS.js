import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as e,c as t,e as o}from"./chunk-MYETWC24.js";var n=t((w,m)=>{m.exports=e("node:fs/promises")});var a=t((c,s)=>{s.exports=e("node:path")});var r=o(n(),1),p=o(a(),1);async function d(i,u){await(0,r.mkdir)((0,p.dirname)(i),{recursive:!0}),await(0,r.writeFile)(i,u)}export{d as a};
