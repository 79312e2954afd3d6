export const id = 777;
export const ids = [777];
export const modules = {

/***/ 74777:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createAjv: () => (/* binding */ createAjv),
/* harmony export */   createRuleAjv: () => (/* binding */ createRuleAjv)
/* harmony export */ });
/* harmony import */ var ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(52210);
/* harmony import */ var ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var ajv_errors__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73966);
/* harmony import */ var ajv_errors__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(ajv_errors__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var ajv_formats__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(82815);
/* harmony import */ var ajv_formats__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(ajv_formats__WEBPACK_IMPORTED_MODULE_1__);



const addFormats = ((ajv_formats__WEBPACK_IMPORTED_MODULE_1___default()["default"]) ??
    (ajv_formats__WEBPACK_IMPORTED_MODULE_1___default()));
const addErrors = ((ajv_errors__WEBPACK_IMPORTED_MODULE_0___default()["default"]) ??
    (ajv_errors__WEBPACK_IMPORTED_MODULE_0___default()));
/** Draft 2020-12 with formats and their comparison keywords (formatMinimum & co.). */
function createAjv(options = {}) {
    // Strict types stay on: an untyped `minimum` silently passes the string "97", the kind of hole a gate
    // must not have. Union types (["string", "null"]) are still allowed.
    const ajv = new ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_2__.Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, ...options });
    addFormats(ajv, { keywords: true });
    return ajv;
}
/**
 * The instance rule schemas are compiled with: strict, every error, `$data` so rules can compare facts with
 * facts (e.g. a date with the injected /now), `verbose` so messages can quote the offending value, and
 * ajv-errors so a rule may phrase its own `errorMessage`.
 */
function createRuleAjv() {
    // validateSchema is off because RuleCompiler checks every rule schema with the precompiled draft 2020-12
    // validator first; Ajv's own check would compile the meta-schema on every run.
    const ajv = createAjv({ $data: true, verbose: true, strictRequired: false, validateSchema: false });
    addErrors(ajv);
    return ajv;
}


/***/ })

};
