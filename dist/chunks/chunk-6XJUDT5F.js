import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as d}from"./chunk-5SAOLCHH.js";import{c as p}from"./chunk-NLM2GTRK.js";import{a as L}from"./chunk-HGR6UAK6.js";import{e as f}from"./chunk-MYETWC24.js";var i="deploy_gates",N=[`CREATE SCHEMA IF NOT EXISTS ${i}`,`CREATE TABLE IF NOT EXISTS ${i}.migrate_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     location text NOT NULL,
     applied_before jsonb NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,`CREATE TABLE IF NOT EXISTS ${i}.rollback_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     state text NOT NULL CHECK (state IN ('restoring', 'restored')),
     safety_backup_id text NOT NULL DEFAULT '',
     rows_written bigint NOT NULL DEFAULT 0,
     at timestamptz NOT NULL DEFAULT now()
   )`,`ALTER TABLE ${i}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_location text NOT NULL DEFAULT ''`,`ALTER TABLE ${i}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_snapshot jsonb`,`CREATE TABLE IF NOT EXISTS ${i}.infra_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     mode text NOT NULL,
     change text NOT NULL,
     state text NOT NULL CHECK (state IN ('started', 'done')),
     at timestamptz NOT NULL DEFAULT now()
   )`],w=`${i}.infra_journal`,A=`${i}.migrate_journal`,C=`${i}.rollback_journal`;async function y(t){for(let n of N)await t.query(n)}async function x(t,n){let{rows:e}=await t.query("SELECT to_regclass($1) AS t",[n]);return!!e[0]?.t}function S(t){return t.startsWith(`${i}.`)}function h(t){return Object.fromEntries(Object.entries(t).filter(([n])=>!S(n)))}async function b(t,n=15e3){let e=new d.Client({connectionString:p(t),connectionTimeoutMillis:n});e.on("error",()=>{});try{await e.connect()}catch(o){await e.end().catch(()=>{});let r=`database "${t.database}" on ${t.host}:${t.port} as ${t.user}`;throw new Error(`cannot connect to ${r}: ${o.message}`,{cause:o})}return e}async function v(t,n,e=15e3){let o=await b(t,e);try{return await n(o)}finally{await o.end().catch(()=>{})}}async function B(t){let{rows:n}=await t.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n"),e=n[0]??{v:"0",n:"0"};return{version:e.v,major:Math.floor(Number(e.n)/1e4)}}var g=`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%' AND table_schema <> $1
     ORDER BY 1, 2`;async function F(t){let{rows:n}=await t.query(g,[i]);return n.map(({s:e,t:o})=>`${e}.${o}`)}async function D(t,n=[]){let{rows:e}=await t.query(g,[i]),o={};for(let{s:r,t:a}of e){let s=`${r}.${a}`;if(n.includes(s))continue;let u=`${t.escapeIdentifier(r)}.${t.escapeIdentifier(a)}`,{rows:c}=await t.query(`SELECT count(*) AS n FROM ${u}`);o[s]=Number(c[0]?.n??0)}return o}async function M(t){let{rows:n}=await t.query("SELECT pg_database_size(current_database()) AS n");return Number(n[0]?.n??0)}var E="nspname NOT IN ('pg_catalog', 'information_schema', $1) AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%'";async function k(t){let{rows:n}=await t.query(`WITH own AS (SELECT oid, nspname FROM pg_namespace WHERE ${E})
     SELECT (SELECT count(*) FROM pg_class WHERE relnamespace IN (SELECT oid FROM own))
          + (SELECT count(*) FROM pg_proc WHERE pronamespace IN (SELECT oid FROM own))
          + (SELECT count(*) FROM pg_type WHERE typnamespace IN (SELECT oid FROM own) AND typtype IN ('e', 'd', 'r', 'm'))
          + (SELECT count(*) FROM own WHERE nspname <> 'public')
          + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql') AS n`,[i]);return Number(n[0]?.n??0)}async function j(t){let{rows:n}=await t.query(`SELECT nspname AS s FROM pg_namespace WHERE ${E} ORDER BY 1`,[i]);return n.map(e=>e.s)}var O=/^(INPUT_|ACTIONS_|GITHUB_(TOKEN|ENV|PATH|OUTPUT|STATE|STEP_SUMMARY)$)/;function m(t,n){let e={};for(let[o,r]of Object.entries(t))r!==void 0&&!O.test(o)&&(e[o]=r);return{...e,...n}}var T=f(L(),1);var l=class extends Error{constructor(e,o,r){super(`${e} failed (exit ${o??"signal"}): ${r.trim().split(`
`).slice(-3).join(" ")||"no message"}`);this.tool=e;this.code=o;this.stderr=r}tool;code;stderr;name="ToolError"};function _(t,n,e){return(0,T.spawn)(t,n,{env:e.env,cwd:e.cwd,stdio:e.stdio})}function R(t,n,e){return new Promise((o,r)=>{let a=_(t,n,{env:e.env,cwd:e.cwd,stdio:["ignore","pipe","pipe"]}),s=[],u=[];a.stdout.on("data",c=>{s.push(c),e.onStdout?.(c)}),a.stderr.on("data",c=>{u.push(c),e.onStderr?.(c)}),a.on("error",r),a.on("close",c=>o({exitCode:c,stdout:Buffer.concat(s).toString(),stderr:Buffer.concat(u).toString()}))})}async function J(t,n,e,o){let r=await R(t,n,{env:m(process.env,e),cwd:o});if(r.exitCode===0)return r.stdout;throw new l(t.split("/").pop()??t,r.exitCode,r.stderr)}function X(t){let n=[],e="",o=!1,r=0;for(;r<t.length;){let a=t[r];if(a===" "||a==="	"){o&&n.push(e),e="",o=!1,r++;continue}if(o=!0,a==="'"){let s=t.indexOf("'",r+1);if(s<0)return{ok:!1,problem:`a single quote at column ${r+1} is never closed`};e+=t.slice(r+1,s),r=s+1;continue}if(a==='"'){let s=r+1,u=!1;for(;s<t.length;){let c=t[s];if(c==='"'){u=!0;break}if(c==="\\"&&(t[s+1]==='"'||t[s+1]==="\\")){e+=t[s+1],s+=2;continue}e+=c,s++}if(!u)return{ok:!1,problem:`a double quote at column ${r+1} is never closed`};r=s+1;continue}if(a==="\\"){if(r+1>=t.length)return{ok:!1,problem:"the line ends with a lone backslash"};e+=t[r+1],r+=2;continue}e+=a,r++}return o&&n.push(e),n.length===0?{ok:!1,problem:"the line has no words"}:{ok:!0,words:n}}export{i as a,w as b,A as c,C as d,y as e,x as f,h as g,b as h,v as i,B as j,F as k,D as l,M as m,k as n,j as o,X as p,m as q,l as r,_ as s,R as t,J as u};
