export const id = 151;
export const ids = [151];
export const modules = {

/***/ 151:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   collectDatabase: () => (/* binding */ collectDatabase)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_perf_hooks__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(643);
/* harmony import */ var node_perf_hooks__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_perf_hooks__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var pg__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3849);




const TABLES = [
    {
        tool: 'prisma',
        table: '_prisma_migrations',
        applied: 'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
        failed: 'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY migration_name',
        folder: ['prisma', 'migrations'],
    },
    {
        tool: 'dbmate',
        table: 'schema_migrations',
        applied: 'SELECT version AS name FROM schema_migrations ORDER BY version',
        folder: ['db', 'migrations'],
    },
    {
        tool: 'node-pg-migrate',
        table: 'pgmigrations',
        applied: 'SELECT name FROM pgmigrations ORDER BY run_on, name',
        folder: ['migrations'],
    },
];
/** Migration names the repository holds, in the form each tool records them. */
function repoMigrations(tool, dir) {
    if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(dir))
        return [];
    const entries = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)(dir, { withFileTypes: true });
    if (tool === 'prisma')
        return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    const files = entries.filter((e) => e.isFile() && /\.(sql|js|cjs|mjs|ts)$/.test(e.name)).map((e) => e.name);
    if (tool === 'dbmate')
        return files.map((f) => f.split('_')[0] ?? f);
    return files.map((f) => f.replace(/\.[^.]+$/, ''));
}
async function names(client, sql) {
    return (await client.query(sql)).rows.map((r) => String(r.name));
}
/**
 * Reachability, version and latency of the database, and the state of every migration table it has.
 * Connection errors become facts; pg's messages never carry the password.
 */
async function collectDatabase(url, workspace, timeoutMs) {
    const client = new pg__WEBPACK_IMPORTED_MODULE_3__/* ["default"].Client */ .Ay.Client({
        connectionString: url,
        connectionTimeoutMillis: timeoutMs,
        statement_timeout: timeoutMs,
    });
    client.on('error', () => { });
    try {
        const started = node_perf_hooks__WEBPACK_IMPORTED_MODULE_2__.performance.now();
        await client.connect();
        const version = (await client.query('SHOW server_version')).rows[0]?.server_version ?? null;
        const latencyMs = Math.round((node_perf_hooks__WEBPACK_IMPORTED_MODULE_2__.performance.now() - started) * 10) / 10;
        const present = new Set((await client.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')).rows.map((r) => r.name));
        const migrations = [];
        for (const t of TABLES.filter((t) => present.has(t.table))) {
            const applied = await names(client, t.applied);
            const failed = t.failed ? await names(client, t.failed) : [];
            const known = new Set([...applied, ...failed]);
            const pending = repoMigrations(t.tool, (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(workspace, ...t.folder)).filter((m) => !known.has(m));
            migrations.push({ tool: t.tool, table: t.table, applied, failed, pending });
        }
        return { reachable: true, serverVersion: version, latencyMs, migrations };
    }
    catch (err) {
        return {
            reachable: false,
            serverVersion: null,
            latencyMs: null,
            error: err.message,
            migrations: [],
        };
    }
    finally {
        await client.end().catch(() => { });
    }
}


/***/ })

};
