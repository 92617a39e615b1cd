/* guiyang-ops map styling and helpers: functions referenced from Python through Namespace("gy", ...). */
window.gy = Object.assign({}, window.gy, {
    /* Whether a page's cursor (a PostgreSQL snapshot as text, "xmin:xmax:xip,…") already holds the transaction a
     * doorbell names: then the page asks nothing. The rule of db/snapshots.py (Snapshot.sees); an unknown
     * transaction or cursor is never held (the page asks, the server decides). */
    snapshot: {
        sees: function (xid, seen) {
            if (typeof xid !== "number") { return false; }
            const s = window.gy.snapshot.parse(seen);
            return s !== null && (xid < s.xmin || (xid < s.xmax && !s.xip.includes(xid)));
        },
        /* Whether the snapshot `big` sees every transaction `small` sees (db/snapshots.py covers): false when
         * either is unknown or `big`'s xmax is below `small`'s */
        covers: function (big, small) {
            const b = window.gy.snapshot.parse(big), s = window.gy.snapshot.parse(small);
            if (b === null || s === null || b.xmax < s.xmax) { return false; }
            return b.xip.every((x) => !(x < s.xmin || (x < s.xmax && !s.xip.includes(x))));
        },
        /* Whether a page at `cursor` can merge a feed's delta (dashboard/feeds.py): its cursor is the delta's
         * start, or between its start and its end (db/snapshots.py follows) */
        follows: function (delta, cursor) {
            const s = window.gy.snapshot;
            return typeof cursor === "string" && typeof delta.from === "string" && typeof delta.to === "string" &&
                (delta.from === cursor || (s.covers(cursor, delta.from) && s.covers(delta.to, cursor)));
        },
        /* {xmin, xmax, xip} of a snapshot's text, or null for anything else (db/snapshots.py parse) */
        parse: function (seen) {
            const m = typeof seen === "string" ? /^(\d{1,19}):(\d{1,19}):((?:\d{1,19})(?:,\d{1,19})*)?$/.exec(seen) : null;
            if (!m) { return null; }
            const s = {xmin: Number(m[1]), xmax: Number(m[2]), xip: m[3] ? m[3].split(",").map(Number) : []};
            return s.xmin <= s.xmax && s.xip.every((x) => s.xmin <= x && x < s.xmax) ? s : null;
        },
    },
    map: {
        districtStyle: function (feature, context) {
            const h = (context && context.hideout) || {};
            const grid = feature.properties.has_grid;
            if (h.own) {  // a scoped user's own district stands out; the rest of the city is greyed
                const own = feature.properties.code === h.own;
                return {
                    color: own ? "#1c64a8" : "#8a99a8", weight: own ? 3 : 1, dashArray: null,
                    fillColor: own ? "#e8eef3" : "#c9d1d9", fillOpacity: own ? 0.2 : 0.6, className: "gy-land",
                };
            }
            return {
                color: h.line || "#3b5b7a", weight: grid ? 2 : 1.2, dashArray: grid ? null : "4 4",
                fillColor: grid ? (h.fill || "#e8eef3") : "#f4f4f0", fillOpacity: h.fillOpacity ?? 0.55,
                className: "gy-land",  // lighter over the city's basemap (basemap.css)
            };
        },
        cellStyle: function (feature, context) {
            const h = (context && context.hideout) || {};
            return {color: h.line || "#7a93a8", weight: 0.6, fillOpacity: 0.02, fillColor: "#7a93a8"};
        },
        districtTooltip: function (feature, layer, context) {
            const h = (context && context.hideout) || {};
            const p = feature.properties;
            layer.bindTooltip(h.lang === "en" ? p.name_en : p.name_zh, {sticky: true});
        },
        districtLabel: function (feature, latlng, context) {
            // a district's name at its label point (geo/labels.py), in a pane above pins and clusters
            const h = (context && context.hideout) || {};
            const p = feature.properties;
            const span = document.createElement("span");
            span.textContent = h.lang === "en" ? p.en : p.zh;
            return L.marker(latlng, {
                icon: L.divIcon({className: "gy-district-label" + (p.grid ? "" : " gy-district-outer"),
                    html: span.outerHTML, iconSize: null}),
                pane: h.pane || "markerPane", interactive: false, keyboard: false,
            });
        },
        cellTooltip: function (feature, layer) {
            layer.bindTooltip(feature.properties.code, {sticky: true});
        },
    },
});

/* dash-leaflet reports no bounds until the map moves: compute them once from center, zoom and size. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    gy: {
        /* a real click on one of a list's buttons, for the store dashboard/clicks.py relays it to; buttons just
           drawn (no click in them) write nothing, so they set off no server call that would drop a click's answer */
        clicked: function () {
            const dc = window.dash_clientside;
            const hit = (dc.callback_context.triggered || []).find((x) => x.value);
            if (!hit) { return dc.no_update; }
            const prop = hit.prop_id, name = prop.slice(0, prop.lastIndexOf("."));
            let id = name;
            try { id = JSON.parse(name); } catch (e) { /* a plain string id */ }
            return {id: id, at: Date.now()};
        },
        viewport: function (bounds, zoom, center, mapId) {
            if (bounds && zoom !== undefined && zoom !== null) {
                return {bounds: bounds, zoom: zoom};
            }
            const el = document.getElementById(mapId);
            if (!el || !center) {
                return window.dash_clientside.no_update;
            }
            const w = el.clientWidth || 1024, h = el.clientHeight || 768;
            const scale = 256 * Math.pow(2, zoom);
            const lat = Array.isArray(center) ? center[0] : center.lat;
            const lng = Array.isArray(center) ? center[1] : center.lng;
            const x = (lng + 180) / 360 * scale;
            const s = Math.sin(lat * Math.PI / 180);
            const y = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale;
            const toLat = (py) => {
                const n = Math.PI - 2 * Math.PI * py / scale;
                return 180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
            };
            const toLng = (px) => px / scale * 360 - 180;
            return {bounds: [[toLat(y + h / 2), toLng(x - w / 2)], [toLat(y - h / 2), toLng(x + w / 2)]], zoom: zoom};
        },
    },
});
