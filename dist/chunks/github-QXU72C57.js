import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{e as a,f as b}from"./chunk-CN6Y3Y5K.js";import"./chunk-WDPPMVUL.js";import"./chunk-L5ZC4BRN.js";import"./chunk-MYETWC24.js";export{a as context,b as getOctokit};
