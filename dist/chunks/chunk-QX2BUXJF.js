import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
function n(t){return Object.entries(t).filter(([,e])=>e.secret).map(([e])=>e)}var r="${{ github.token }}";export{n as a,r as b};
