import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as n}from"./chunk-F2VV7UAJ.js";import{a as m}from"./chunk-WIP24SRV.js";import{e as t}from"./chunk-MYETWC24.js";var r=t(n(),1),e=t(m(),1);async function a(i,o){await(0,r.mkdir)((0,e.dirname)(i),{recursive:!0}),await(0,r.writeFile)(i,o)}export{a};
