import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{e as a,f as b}from"./chunk-MCLK24QY.js";import"./chunk-MYETWC24.js";export{a as context,b as getOctokit};
