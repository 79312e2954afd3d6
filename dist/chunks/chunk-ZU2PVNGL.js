import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
var i=/^age1[0-9a-z]{20,}$/,r=/^AGE-SECRET-KEY-1[0-9A-Z]{20,}$/,s=e=>i.test(e.trim());function o(e){let n=e.split(/\r?\n/).map(t=>t.trim()).filter(t=>t!==""&&!t.startsWith("#"));if(!(n.length===0||!n.every(t=>r.test(t))))return n}export{i as a,s as b,o as c};
