/* The wall screen (/wall): map styling through `hideout`, clientside callbacks, and the push doorbell.
 * Component ids are the ones of dashboard/ids/wall.py. */
(function () {
    "use strict";
    const CELL_KEY = (f) => (f.properties && f.properties.k) || f.id;
    const DELTA = "wall-delta", BASE_AS_OF = "wall-base-as-of", LANG = "gy-lang";  // the live layer's inputs
    const hiddenSets = new WeakMap();
    let wallMap = null;  // the wall's Leaflet map, once created (the init hook below)

    /* The view {bounds, zoom} the map will show once it has fitted `bounds` with `padding` (what dash-leaflet then
     * reports on moveend: [[S, W], [N, E]] of map.getBounds()), or null before the map has its size. Asked with the
     * first fit, the heatmap and pins are requested without waiting for the map to move and report. */
    function fittedView(bounds, padding) {
        if (!wallMap || !wallMap.getSize().y) { return null; }
        const cz = wallMap._getBoundsCenterZoom(L.latLngBounds(bounds), {padding: padding});
        const zoom = wallMap._limitZoom(cz.zoom), px = wallMap.getPixelBounds(cz.center, zoom);
        const sw = wallMap.unproject(px.getBottomLeft(), zoom), ne = wallMap.unproject(px.getTopRight(), zoom);
        return {bounds: [[sw.lat, sw.lng], [ne.lat, ne.lng]], zoom: zoom};
    }

    function classOf(n, breaks) {
        for (let k = 0; k < breaks.length; k++) {
            if (n <= breaks[k]) { return k; }
        }
        return breaks.length;
    }

    function colorOf(k, classes, colors) {
        if (classes <= 1) { return colors[colors.length - 1]; }
        return colors[Math.round(k * (colors.length - 1) / (classes - 1))];
    }

    function hiddenSet(h) {
        let s = hiddenSets.get(h);
        if (!s) { s = new Set(h.hidden || []); hiddenSets.set(h, s); }
        return s;
    }

    function pinMarker(feature, latlng, extra) {
        const p = feature.properties || {};
        const cls = "wall-pin wall-pin-" + (p.l || "g") + (p.u ? " wall-pin-urgent" : "") + (extra || "");
        const html = "<i data-case=\"" + p.id + "\"" + (extra ? " data-live=\"1\"" : "") + "></i>";
        return L.marker(latlng, {
            icon: L.divIcon({className: cls, html: html, iconSize: null}),
            keyboard: false, interactive: false, zIndexOffset: (p.u ? 500 : 0) + (extra ? 1000 : 0),
        });
    }

    function bubbleMarker(latlng, n, yellow, red) {
        // a neutral bubble (the heatmap stays visible) with the share of each light as a bar
        const worst = red ? "r" : (yellow ? "y" : "g");
        const size = (1.9 + 0.8 * Math.log10(n)).toFixed(2) + "vh";
        const pc = (k) => (100 * k / n).toFixed(1) + "%";
        const label = n >= 10000 ? Math.round(n / 1000) + "k" : (n >= 1000 ? (n / 1000).toFixed(1) + "k" : String(n));
        const html = "<div style=\"--s:" + size + "\"><span>" + label + "</span><em><i class=\"r\" style=\"width:" +
            pc(red) + "\"></i><i class=\"y\" style=\"width:" + pc(yellow) + "\"></i></em></div>";
        return L.marker(latlng, {
            icon: L.divIcon({html: html, className: "wall-cluster wall-cluster-" + worst, iconSize: null}),
            keyboard: false, interactive: false,
        });
    }

    /* The map's box can change height after a view was fitted (the legend under it wraps once its swatches and
     * keys arrive): measure the map again and fit the last view it was asked for (a preset's bounds) again. */
    if (window.L && L.Map && L.Map.addInitHook && window.ResizeObserver) {
        L.Map.addInitHook(function () {
            const map = this, el = map.getContainer();
            if (!el || el.id !== "wall-map") { return; }
            wallMap = map;
            let asked = null, height = el.clientHeight, timer = null;
            for (const name of ["fitBounds", "flyToBounds"]) {
                const own = map[name];
                map[name] = function (bounds, options) {
                    asked = [bounds, Object.assign({}, options, {animate: false})];
                    return own.apply(this, arguments);
                };
            }
            new ResizeObserver(() => {
                if (!el.clientHeight || el.clientHeight === height) { return; }
                height = el.clientHeight;
                clearTimeout(timer);
                timer = setTimeout(() => {
                    map.invalidateSize({pan: false});
                    if (asked) { L.Map.prototype.fitBounds.call(map, asked[0], asked[1]); }
                }, 150);
            }).observe(el);
        });
    }

    window.wall = Object.assign({}, window.wall, {
        map: {
            heatStyle: function (feature, context) {
                const h = (context && context.hideout) || {};
                const n = (h.counts || {})[CELL_KEY(feature)] || 0;
                if (!n || !h.colors) { return {stroke: false, fill: false}; }
                const breaks = h.breaks || [];
                const color = colorOf(classOf(n, breaks), breaks.length + 1, h.colors);
                return {stroke: h.level !== "cell", color: "#0b1420", weight: 0.4, fillColor: color, fillOpacity: 0.8};
            },
            landStyle: function (feature, context) {
                const h = (context && context.hideout) || {};
                const grid = feature.properties.has_grid;
                return {stroke: false, fillColor: grid ? "#13263a" : "#0e1b29", fillOpacity: h.tiles ? 0.3 : 1};
            },
            districtStyle: function (feature) {
                const grid = feature.properties.has_grid;
                return {color: grid ? "#5fb4dc" : "#35506a", weight: grid ? 2 : 1, opacity: grid ? 0.85 : 0.6,
                    dashArray: grid ? null : "6 6", fill: false};
            },
            label: function (feature, latlng, context) {
                const h = (context && context.hideout) || {};
                const p = feature.properties;
                return L.marker(latlng, {
                    icon: L.divIcon({className: "wall-district-label" + (p.grid ? "" : " wall-district-outer") +
                        (h.lang === "en" ? " wall-label-en" : ""),
                        html: "<span>" + (h.lang === "en" ? p.en : p.zh) + "</span>", iconSize: null}),
                    interactive: false, keyboard: false, pane: "wall-labels",
                });
            },
            pin: function (feature, latlng) { return pinMarker(feature, latlng, ""); },
            livePin: function (feature, latlng) { return pinMarker(feature, latlng, " wall-pin-live"); },
            notHidden: function (feature, context) {
                const h = (context && context.hideout) || {};
                return !(h.hidden && h.hidden.length && hiddenSet(h).has(feature.properties.id));
            },
            cluster: function (feature, latlng, index) {
                let red = 0, yellow = 0;
                for (const leaf of index.getLeaves(feature.properties.cluster_id, Infinity)) {
                    const p = leaf.properties;
                    if (p.l === "r") { red++; } else if (p.l === "y") { yellow++; }
                }
                return bubbleMarker(latlng, feature.properties.point_count, yellow, red);
            },
            bubble: function (feature, latlng) {
                const p = feature.properties;
                if (p.n === 1) {  // a single case: a pin of its light
                    return pinMarker({properties: {l: p.r ? "r" : (p.y ? "y" : "g"), u: 0, id: ""}}, latlng, "");
                }
                return bubbleMarker(latlng, p.n, p.y, p.r);
            },
        },
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        wall: {
            rotate: function (n, presets, lang, config, current) {
                const nu = window.dash_clientside.no_update;
                if (!presets || !presets.length) { return [nu, nu, nu]; }
                const rotating = config && config.rotate > 0;
                const p = presets[rotating ? (n || 0) % presets.length : 0];
                const label = lang === "en" ? p.en : p.zh;
                // a language switch (dashboard/ids/__init__.py LANG) only renames the view once the map shows one;
                // anything else (first call, presets, the rotation timer) moves the map
                const trig = (window.dash_clientside.callback_context.triggered || []).map((x) => x.prop_id);
                if (current && trig.length === 1 && trig[0] === "gy-lang.data") { return [nu, label, nu]; }
                const first = !current;  // no animation for the first view: the data comes after moveend
                const view = first ? fittedView(p.bounds, [16, 16]) : null;  // and is asked for at once
                return [{bounds: p.bounds, transition: first ? "fitBounds" : "flyToBounds",
                    options: first ? {padding: [16, 16], animate: false} : {padding: [16, 16], duration: 1.5}}, label,
                    view || nu];
            },
            view: function (bounds, zoom, viewport, current) {
                // only once our viewport (a preset) is set: the map's initial view is not the wall's
                const nu = window.dash_clientside.no_update;
                if (!viewport || !bounds || zoom === undefined || zoom === null) { return nu; }
                const view = {bounds: bounds, zoom: zoom};
                const round = (v) => JSON.stringify(v, (k, x) => (typeof x === "number" ? Math.round(x * 1e5) / 1e5 : x));
                return current && round(current) === round(view) ? nu : view;
            },
            clusterOptions: function () {
                // cluster radius in screen pixels, proportional to the screen (a 4K wall gets twice 1080p's)
                return {radius: Math.round(Math.max(60, window.innerHeight / 13)), maxZoom: 15};
            },
            heatHideout: function (data, config, drawn) {
                if (!data || !config || (drawn && drawn.level !== data.level)) {
                    return window.dash_clientside.no_update;  // counts of another level: stale
                }
                return {counts: data.counts, breaks: data.breaks, colors: config.colors, level: data.level};
            },
            basePins: function (cols) {
                // open cases: single pins (clustered in the browser) or the server's bubbles when zoomed out;
                // today's escalations apart (never clustered, pulsing)
                const nu = window.dash_clientside.no_update;
                if (!cols || !cols.id) { return [nu, nu, nu]; }
                const ox = cols.o[0], oy = cols.o[1], q = cols.q;
                const point = (x, y) => ({type: "Point", coordinates: [ox + x / q, oy + y / q]});
                const fc = (features) => ({type: "FeatureCollection", features: features});
                if (cols.mode === "bubbles") {
                    const bubbles = cols.n.map((n, i) => ({type: "Feature", geometry: point(cols.x[i], cols.y[i]),
                        properties: {n: n, y: cols.ny[i], r: cols.nr[i], u: cols.nu[i], id: "b" + i}}));
                    const alarms = cols.id.map((id, i) => ({type: "Feature", geometry: point(cols.ax[i], cols.ay[i]),
                        properties: {id: id, l: cols.l[i] || "g", u: 1}}));
                    return [fc([]), fc(alarms), fc(bubbles)];
                }
                const urgent = new Set(cols.u || []), alarm = new Set(cols.a || []);
                const normal = [], alarms = [];
                for (let i = 0; i < cols.id.length; i++) {
                    const u = urgent.has(cols.id[i]);
                    (alarm.has(cols.id[i]) ? alarms : normal).push({type: "Feature", geometry: point(cols.x[i], cols.y[i]),
                        properties: {id: cols.id[i], l: cols.l[i] || "g", u: u ? 1 : 0}});
                }
                return [fc(normal), fc(alarms), fc([])];
            },
            heatGeojson: function (geo) {
                // quantised polygons (db/queries/grid_geometry.py geometry()) back to GeoJSON
                if (!geo || !geo.k) { return window.dash_clientside.no_update; }
                const ox = geo.o[0], oy = geo.o[1], q = geo.q;
                const back = (c) => (typeof c[0] === "number" ? [ox + c[0] / q, oy + c[1] / q] : c.map(back));
                const features = new Array(geo.k.length);
                for (let i = 0; i < geo.k.length; i++) {
                    const g = geo.g[i];
                    const multi = Array.isArray(g[0][0][0]);
                    features[i] = {type: "Feature", id: geo.k[i], properties: {k: geo.k[i]},
                        geometry: {type: multi ? "MultiPolygon" : "Polygon", coordinates: back(g)}};
                }
                return {type: "FeatureCollection", features: features};
            },
            /* (liveLayer's) a catch-up's delta into the screen's live pins and ticker: pins older than the base
               layer go, the new and the gone (closed, merged ...) replace theirs, the new events go first in the
               ticker (which keeps delta.keep); a reset (a fresh screen, a long gap) starts both again */
            mergeLive: function (delta, asOf, live, shown) {
                const fresh = delta.events || [];
                if (delta.reset) { return [{}, fresh.slice(0, delta.keep)]; }
                const out = {};
                for (const k in (live || {})) {
                    const v = live[k];
                    const ev = v.gone ? v.ev : (v.properties || {}).ev;
                    if (ev > (asOf || 0)) { out[k] = v; }
                }
                (delta.pins || []).forEach((f) => { out[String(f.properties.id)] = f; });
                (delta.gone || []).forEach((g) => { out[String(g[0])] = {ev: g[1], gone: true}; });
                const known = new Set(fresh.map((e) => e.id));
                const ticker = fresh.concat((shown || []).filter((e) => !known.has(e.id))).slice(0, delta.keep);
                return [out, ticker];
            },
            /* the live layer in one step, so a catch-up's answer reaches the map with no callback between (a
               chain of two clientside callbacks waited for the KPI tiles' read to land, ~120 ms): the delta is
               merged (mergeLive), the live pins drawn (livePins) and the ticker (ticker); a new base layer only
               redraws the pins, another language only the ticker */
            liveLayer: function (delta, asOf, lang, live, shown, hideout, strings) {
                const w = window.dash_clientside.wall, nu = window.dash_clientside.no_update;
                const cc = window.dash_clientside.callback_context;
                const fired = new Set(((cc && cc.triggered) || []).map((t) => t.prop_id.split(".")[0]));
                const first = fired.size === 0 || fired.has("");
                let merged = [nu, nu];
                if (fired.has(DELTA) && delta) { merged = w.mergeLive(delta, asOf, live, shown); }
                const nowLive = merged[0] === nu ? live : merged[0];
                const nowShown = merged[1] === nu ? shown : merged[1];
                const pins = first || fired.has(BASE_AS_OF) || merged[0] !== nu
                    ? w.livePins(nowLive, asOf, hideout) : [nu, nu, nu];
                const ticker = first || fired.has(LANG) || merged[1] !== nu ? w.ticker(nowShown, lang, strings) : nu;
                return [merged[0], merged[1], pins[0], pins[1], pins[2], ticker];
            },
            /* (liveLayer's) the live pins newer than the base layer, and the base pins they hide */
            livePins: function (live, asOf, hideout) {
                const features = [], hidden = [];
                for (const k in (live || {})) {
                    const v = live[k];
                    const ev = v.gone ? v.ev : (v.properties || {}).ev;
                    if (!(ev > (asOf || 0))) { continue; }
                    hidden.push(Number(k));
                    if (!v.gone) { features.push(v); }
                }
                hidden.sort((a, b) => a - b);
                const same = hideout && JSON.stringify(hideout.hidden || []) === JSON.stringify(hidden);
                const nu = window.dash_clientside.no_update;
                return [{type: "FeatureCollection", features: features}, same ? nu : {hidden: hidden},
                    same ? nu : {hidden: hidden}];
            },
            districtGeojson: function (geo) {
                // one compact download feeds two layers: the land under the heatmap, the outlines above it
                const nu = window.dash_clientside.no_update;
                const fc = window.dash_clientside.wall.heatGeojson(geo);
                if (fc === nu) { return [nu, nu]; }
                fc.features.forEach((f, i) => { f.properties.has_grid = geo.grid[i]; });
                return [fc, fc];
            },
            lang: function (config, current) {
                const want = config && config.lang;
                return want && want !== current ? want : window.dash_clientside.no_update;
            },
            texts: function (lang, strings) {
                const s = (strings && strings[lang === "en" ? "en" : "zh"]) || {};
                const windows = ["today", "7d", "30d"].map((k) => ({label: s["wall.window." + k], value: k}));
                return [{lang: lang}, windows, s["wall.title"], s["wall.subtitle"], s["wall.heat.title"],
                    s["wall.ticker.title"]];
            },
            /* (liveLayer's) the ticker of the events, in the screen's language (each entry's time is Beijing
               time as the server wrote it: "YYYY-MM-DDTHH:MM:SS…+08:00") */
            ticker: function (events, lang, strings) {
                const s = (strings && strings[lang === "en" ? "en" : "zh"]) || {};
                const k = lang === "en" ? 1 : 0;
                const el = (type, className, children, extra) => ({type: type, namespace: "dash_html_components",
                    props: Object.assign({className: className, children: children}, extra || {})});
                if (!events || !events.length) { return [el("Div", "wall-empty", s["wall.ticker.empty"])]; }
                return events.map((e) => el("Div",
                    "wall-tick wall-tick-" + e.action + (e.urgent ? " wall-tick-urgent" : ""), [
                        el("Span", "wall-tick-head", [el("Span", "wall-tick-time", String(e.at).slice(11, 19)),
                            el("Span", "wall-tick-action", s["action." + e.action] || e.action)]),
                        el("Span", "wall-tick-ticket", e.ticket),
                        el("Span", "wall-tick-what", e.dist[k] + " · " + e.cat[k]),
                    ], {"data-ticket": e.ticket, "data-event": String(e.id), key: String(e.id)}));
            },
            settled: function (cursor) {
                if (window.wallPush) { window.wallPush.settled(cursor); }
                return cursor;
            },
            clock: function () {
                return new Date().toLocaleString("sv-SE", {timeZone: "Asia/Shanghai", hour12: false});
            },
            conn: function (state, lang, strings) {
                const s = (strings && strings[lang === "en" ? "en" : "zh"]) || {};
                return [s["wall.conn." + state] || state, "wall-conn wall-conn-" + state];
            },
        },
    });

    /* Push: our own EventSource on /push/events?feed=wall. The server's wall feed (dashboard/feeds.py) sends a
     * `delta` at each commit: what its cursor did not see, up to its next cursor. A screen whose cursor is the
     * delta's `from` (or lies between `from` and `to`, gy.snapshot.covers) merges it (the delta store, liveLayer)
     * and takes `to` as its cursor, with no request at all; any other screen, and every `doorbell` (the stream's
     * first, or one the feed could not answer), rings the doorbell store: a Dash callback then catches up with
     * what the screen's snapshot (the cursor store) did not see. A delta or doorbell whose transaction the
     * cursor holds already asks nothing (gy.snapshot.sees, the rule of db/snapshots.py). Dash drops the answer
     * of a callback that is triggered again before it returns, so the doorbell rings once, then waits until that
     * catch-up has landed (the cursor store changed, or the landed store when nothing was new, or 800 ms); the
     * deltas that came meanwhile are merged then if they follow on, else it rings again with the last doorbell
     * (doorbells come in commit order: the last one stands for all). The KPI tiles read again a moment after
     * something new (1-5 s, at random: the screens of a wall do not all ask at once). The browser
     * reconnects by itself after a drop (the server sends retry: 1000); a closed stream (HTTP error) or one silent
     * for 45 s (pings come every 15 s) is reopened with backoff. Starts and stops with the wall's layout. */
    const PUSH_URL = "/push/events?feed=wall", BELL = "wall-doorbell", STATE = "wall-conn-state";
    const MARK = "wall-conn", KPI_BELL = "wall-kpi-bell", CURSOR = "wall-cursor", BACKLOG = 8;
    const KPI_AFTER_MS = 1000, KPI_SPREAD_MS = 4000;
    const ALERT_BELL = "ana-wall-bell";  // dashboard/ids/an_alertui.py WALL_BELL
    const SETTLE_MS = 800;
    let es = null, retry = null, watchdog = null, backoff = 1000;
    // cursorNow: the screen's snapshot once its first catch-up has landed (null before: nothing to catch up from)
    let rings = 0, inflight = null, pending = null, cursorNow = null, kpiTimer = null;
    let deltas = [];  // the feed's deltas that came while a catch-up was under way, oldest first
    const holds = (bell) => cursorNow !== null && window.gy.snapshot.sees(bell.x, cursorNow);
    // a delta this page can merge (gy.snapshot.follows: its cursor is the delta's start, or between start and end)
    const follows = (d) => cursorNow !== null && window.gy.snapshot.follows(d, cursorNow);

    function setProps(id, props) {
        const dc = window.dash_clientside;
        if (dc && dc.set_props) {
            try { dc.set_props(id, props); } catch (err) { /* layout not mounted yet */ }
        }
    }
    const onWall = () => !!document.getElementById(MARK);
    const state = (s) => setProps(STATE, {data: s});

    function send(bell) {
        rings += 1;
        inflight = setTimeout(settled, SETTLE_MS);
        setProps(BELL, {data: {id: bell.id, x: bell.x, n: rings}});
    }
    function ring(bell) {
        if (!bell || typeof bell.id !== "number" || holds(bell)) { return; }  // this screen has it already
        // before the screen's first catch-up has landed there is nothing to catch up from: keep the bell
        if (inflight || cursorNow === null) { pending = bell; } else { send(bell); }
    }
    function kpiSoon() {
        if (kpiTimer) { return; }
        kpiTimer = setTimeout(() => { kpiTimer = null; setProps(KPI_BELL, {data: cursorNow}); },
            KPI_AFTER_MS + Math.random() * KPI_SPREAD_MS);
    }
    /* merge a delta of the feed: the live layer from the delta store, the cursor store moved to its end */
    function merge(d) {
        cursorNow = d.to;  // before the settled callback hears of it: that one is no catch-up landing
        setProps(DELTA, {data: d.delta});
        setProps(CURSOR, {data: d.to});
        kpiSoon();
    }
    function onDelta(d) {
        if (!d || typeof d.id !== "number" || !d.delta || holds(d)) { return; }
        if (inflight || cursorNow === null) {  // merged (or rung) once the catch-up under way has landed
            deltas = deltas.concat([d]).slice(-BACKLOG);
            pending = d;
        } else if (follows(d)) {
            merge(d);
        } else {
            send(d);
        }
    }
    /* the cursor store changed, or a catch-up that found nothing new answered (the landed store) */
    function settled(cursor) {
        if (typeof cursor === "string") {
            // the KPI tiles read again a moment after a catch-up brought something new (kpiSoon: not alongside
            // it, the live pin comes first); their first read does not wait for the first catch-up (nothing writes
            // this store but this script, so the page asks for both at once)
            if (cursorNow !== null && cursor !== cursorNow) { kpiSoon(); }
            cursorNow = cursor;
        }
        clearTimeout(inflight);
        inflight = null;
        if (cursorNow === null) { return; }
        const waiting = deltas;
        deltas = [];
        waiting.forEach((d) => { if (!holds(d) && follows(d)) { merge(d); } });
        if (pending !== null && holds(pending)) { pending = null; }
        if (pending !== null) { const bell = pending; pending = null; send(bell); }
    }
    function kick() {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => { state("connecting"); schedule(); }, 45000);
    }
    function close() {
        if (es) { es.close(); es = null; }
        clearTimeout(watchdog);
        if (!onWall()) {  // left the wall: its next layout starts afresh
            pending = null; cursorNow = null; deltas = [];
        }
    }
    function schedule() {
        close();
        if (retry) { return; }
        retry = setTimeout(() => { retry = null; open(); }, backoff);
        backoff = Math.min(backoff * 2, 30000);
    }
    function open() {
        close();
        if (!onWall()) { return; }
        const src = new EventSource(PUSH_URL);
        es = src;
        src.addEventListener("open", () => { backoff = 1000; state("open"); kick(); });
        src.addEventListener("hello", kick);
        src.addEventListener("ping", kick);
        src.addEventListener("doorbell", (e) => {
            kick();
            try { ring(JSON.parse(e.data)); } catch (err) { /* not ours */ }
        });
        src.addEventListener("delta", (e) => {
            kick();
            try { onDelta(JSON.parse(e.data)); } catch (err) { /* not ours */ }
        });
        // 预警: an alert was raised or changed; the alerts panel and markers read again (callbacks/an_alertui_wall.py)
        src.addEventListener("alerts", (e) => {
            kick();
            try { setProps(ALERT_BELL, {data: JSON.parse(e.data)}); } catch (err) { /* not ours */ }
        });
        // every event again as a window event "gy-push" {event, data}, for the page's other scripts (alarms.js)
        // without a second stream
        for (const name of ["hello", "ping", "doorbell", "alerts", "alarm"]) {
            src.addEventListener(name, (e) => {
                let data = null;
                try { data = e.data ? JSON.parse(e.data) : null; } catch (err) { data = e.data; }
                window.dispatchEvent(new CustomEvent("gy-push", {detail: {event: name, data: data}}));
            });
        }
        src.addEventListener("error", () => {
            if (src !== es) { return; }
            if (src.readyState === EventSource.CLOSED) { state("offline"); schedule(); } else { state("connecting"); }
        });
    }
    window.wallPush = {open: open, close: close, settled: settled, state: () => (es ? es.readyState : -1)};
    setInterval(() => {
        const here = onWall();
        if (here && !es && !retry) { open(); }
        if (!here && es) { close(); }
    }, 500);
})();
