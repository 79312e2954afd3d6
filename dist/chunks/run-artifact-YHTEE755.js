import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a,b}from"./chunk-ZLTQWK7Y.js";import"./chunk-MYETWC24.js";export{a as ArtifactDigestError,b as downloadArtifactInto};
