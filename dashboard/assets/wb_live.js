/* The workbench's live updates (wbp-): the clientside callbacks of dashboard/callbacks/wb_live.py. The stream
 * itself is assets/gy_push.js. */
(function () {
    "use strict";
    const HOLD_MS = 5000;
    let seen = null;
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        wbp: {
            /* the catch-up landed (the cursor moved): the push client may ring again, or, when it asked the queue
             * to read again, once the queue has landed (released below) */
            settled: function (cursor, changed) {
                const n = changed ? changed.n : null;
                const bumped = seen !== null && n !== seen;
                seen = n;
                if (window.gyPush) { window.gyPush.settled(cursor, bumped ? HOLD_MS : 0); }
                return cursor;
            },
            released: function () {
                if (window.gyPush) { window.gyPush.release(); }
                return window.dash_clientside.no_update;
            },
            /* 实时 / 重连中 / 离线, in the page's language; works with the server away */
            indicator: function (state, lang, texts) {
                const s = ["open", "connecting", "offline"].indexOf(state) >= 0 ? state : "connecting";
                const m = (texts && texts[lang === "en" ? "en" : "zh"]) || {};
                return [m["label." + s] || s, "wbp-conn wbp-conn-" + s, m["title." + s] || ""];
            },
        },
    });
})();
