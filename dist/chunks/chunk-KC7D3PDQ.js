import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
var o="deploy-gates",t="0.1.0",e="https://github.com/neonpro/deploy-gates";export{o as a,t as b,e as c};
