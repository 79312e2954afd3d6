import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
function c(n){return n!==null&&typeof n=="object"&&!Array.isArray(n)}function b(n,s){let e={...n};for(let[o,t]of Object.entries(s)){let r=e[o];e[o]=c(r)&&c(t)?b(r,t):t}return e}export{c as a,b};
