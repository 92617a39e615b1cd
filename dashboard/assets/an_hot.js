/* /analysis 热点区域: the significant Gi* units, coloured by class in the browser (hideout: colors by class,
   selected keys, tooltip texts); functions referenced from Python through Namespace("anHot", "map"). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    anHot: {
        fit: function (bounds) {
            // the map was made in a hidden panel: its size first, then the study region's view
            const now = Date.now();
            if (!bounds) { return [now, window.dash_clientside.no_update]; }
            return [now, {bounds: bounds, transition: "fitBounds"}];
        },
        select: function (rows, hideout) {
            const keys = (rows || []).map(function (r) { return r && r.key; }).filter(Boolean);
            return Object.assign({}, hideout || {}, {selected: keys});
        },
    },
});
window.anHot = Object.assign({}, window.anHot, {
    map: {
        style: function (feature, context) {
            const h = (context && context.hideout) || {};
            const p = feature.properties || {};
            const colors = h.colors || {};
            const picked = (h.selected || []).indexOf(p.k) >= 0;
            return {
                color: picked ? "#111" : (colors[String(p.c)] || "#999"),
                weight: picked ? 3 : 0.6,
                fillColor: colors[String(p.c)] || "#999",
                fillOpacity: picked ? 0.85 : 0.65,
            };
        },
        tooltip: function (feature, layer, context) {
            const h = (context && context.hideout) || {};
            const p = feature.properties || {};
            const conf = {3: 99, 2: 95, 1: 90}[Math.abs(p.c)] || "";
            const kind = p.c > 0 ? (h.hot || "hot") : (h.cold || "cold");
            const fmt = h.fmt || "{kind} · {conf} % · {n} · z={z}";
            const text = fmt.replace("{kind}", kind).replace("{conf}", conf).replace("{n}", p.n)
                .replace("{z}", p.z);
            layer.bindTooltip(p.k + "<br>" + text, {sticky: true});
        },
    },
});
