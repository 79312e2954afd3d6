import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as l}from"./chunk-5SAOLCHH.js";import{c as g}from"./chunk-KUJIKYJX.js";var c="deploy_gates",f=[`CREATE SCHEMA IF NOT EXISTS ${c}`,`CREATE TABLE IF NOT EXISTS ${c}.migrate_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     location text NOT NULL,
     applied_before jsonb NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,`CREATE TABLE IF NOT EXISTS ${c}.rollback_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     state text NOT NULL CHECK (state IN ('restoring', 'restored')),
     safety_backup_id text NOT NULL DEFAULT '',
     rows_written bigint NOT NULL DEFAULT 0,
     at timestamptz NOT NULL DEFAULT now()
   )`,`ALTER TABLE ${c}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_location text NOT NULL DEFAULT ''`,`ALTER TABLE ${c}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_snapshot jsonb`,`CREATE TABLE IF NOT EXISTS ${c}.infra_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     mode text NOT NULL,
     change text NOT NULL,
     state text NOT NULL CHECK (state IN ('started', 'done')),
     at timestamptz NOT NULL DEFAULT now()
   )`],b=`${c}.infra_journal`,S=`${c}.migrate_journal`,_=`${c}.rollback_journal`;async function O(t){for(let n of f)await t.query(n)}async function A(t,n){let{rows:e}=await t.query("SELECT to_regclass($1) AS t",[n]);return!!e[0]?.t}function T(t){return t.startsWith(`${c}.`)}function x(t){return Object.fromEntries(Object.entries(t).filter(([n])=>!T(n)))}async function C(t,n,e=15e3){let o=new l.Client({connectionString:g(t),connectionTimeoutMillis:e});o.on("error",()=>{}),await o.connect();try{return await n(o)}finally{await o.end().catch(()=>{})}}async function h(t){let{rows:n}=await t.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n"),e=n[0]??{v:"0",n:"0"};return{version:e.v,major:Math.floor(Number(e.n)/1e4)}}async function v(t,n=[]){let{rows:e}=await t.query(`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%' AND table_schema <> $1
     ORDER BY 1, 2`,[c]),o={};for(let{s:r,t:s}of e){let i=`${r}.${s}`;if(n.includes(i))continue;let u=`${t.escapeIdentifier(r)}.${t.escapeIdentifier(s)}`,{rows:a}=await t.query(`SELECT count(*) AS n FROM ${u}`);o[i]=Number(a[0]?.n??0)}return o}async function I(t){let{rows:n}=await t.query("SELECT pg_database_size(current_database()) AS n");return Number(n[0]?.n??0)}var m=/^(INPUT_|ACTIONS_|GITHUB_(TOKEN|ENV|PATH|OUTPUT|STATE|STEP_SUMMARY)$)/;function p(t,n){let e={};for(let[o,r]of Object.entries(t))r!==void 0&&!m.test(o)&&(e[o]=r);return{...e,...n}}import{spawn as L}from"node:child_process";var d=class extends Error{constructor(e,o,r){super(`${e} failed (exit ${o??"signal"}): ${r.trim().split(`
`).slice(-3).join(" ")||"no message"}`);this.tool=e;this.code=o;this.stderr=r}tool;code;stderr;name="ToolError"};function N(t,n,e){return L(t,n,{env:e.env,cwd:e.cwd,stdio:e.stdio})}function E(t,n,e){return new Promise((o,r)=>{let s=N(t,n,{env:e.env,cwd:e.cwd,stdio:["ignore","pipe","pipe"]}),i=[],u=[];s.stdout.on("data",a=>{i.push(a),e.onStdout?.(a)}),s.stderr.on("data",a=>{u.push(a),e.onStderr?.(a)}),s.on("error",r),s.on("close",a=>o({exitCode:a,stdout:Buffer.concat(i).toString(),stderr:Buffer.concat(u).toString()}))})}async function D(t,n,e,o){let r=await E(t,n,{env:p(process.env,e),cwd:o});if(r.exitCode===0)return r.stdout;throw new d(t.split("/").pop()??t,r.exitCode,r.stderr)}function F(t){let n=[],e="",o=!1,r=0;for(;r<t.length;){let s=t[r];if(s===" "||s==="	"){o&&n.push(e),e="",o=!1,r++;continue}if(o=!0,s==="'"){let i=t.indexOf("'",r+1);if(i<0)return{ok:!1,problem:`a single quote at column ${r+1} is never closed`};e+=t.slice(r+1,i),r=i+1;continue}if(s==='"'){let i=r+1,u=!1;for(;i<t.length;){let a=t[i];if(a==='"'){u=!0;break}if(a==="\\"&&(t[i+1]==='"'||t[i+1]==="\\")){e+=t[i+1],i+=2;continue}e+=a,i++}if(!u)return{ok:!1,problem:`a double quote at column ${r+1} is never closed`};r=i+1;continue}if(s==="\\"){if(r+1>=t.length)return{ok:!1,problem:"the line ends with a lone backslash"};e+=t[r+1],r+=2;continue}e+=s,r++}return o&&n.push(e),n.length===0?{ok:!1,problem:"the line has no words"}:{ok:!0,words:n}}export{c as a,b,S as c,_ as d,O as e,A as f,x as g,C as h,h as i,v as j,I as k,F as l,p as m,d as n,N as o,E as p,D as q};
