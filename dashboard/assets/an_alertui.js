/* 预警 on maps (the wall and /analysis): alert areas outlined, a warning marker at each alert's point (distinct
 * from case pins: a yellow diamond with "!"), its title, numbers and explanation in a popup on click.
 * Features come from dashboard/components/an_alertui.py (areas, points). */
(function () {
    "use strict";
    const esc = (s) => String(s === undefined || s === null ? "" : s)
        .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

    window.anAlert = Object.assign({}, window.anAlert, {
        map: {
            areaStyle: function (feature, context) {
                const p = Object.assign({}, feature.properties || {});
                const h = (context && context.hideout) || {};
                if (h.sel !== undefined && h.sel !== null) { p.sel = p.id === h.sel; }
                // yellow, dashed: unlike the heatmap's orange and red and the districts' blue lines
                return {color: p.sel ? "#fff3bf" : "#ffe066", weight: p.sel ? 4 : 3, dashArray: "8 5",
                    fillColor: "#ffe066", fillOpacity: p.sel ? 0.3 : 0.16};
            },
            marker: function (feature, latlng) {
                const p = feature.properties || {};
                const cls = "ana-marker ana-marker-" + (p.state || "new") + (p.sel ? " ana-marker-sel" : "");
                return L.marker(latlng, {
                    icon: L.divIcon({className: cls, html: "<i data-alert=\"" + esc(p.id) + "\"><b>!</b></i>",
                        iconSize: null}),
                    keyboard: false, zIndexOffset: 2000, title: p.title || "",
                });
            },
            popup: function (feature, layer) {
                const p = feature.properties || {};
                if (!p.text) { return; }  // the /analysis tab: a click selects the alert instead
                layer.bindPopup("<div class=\"ana-popup\"><strong>" + esc(p.title) + "</strong><div>" +
                    esc(p.nums) + "</div><p>" + esc(p.text) + "</p></div>", {maxWidth: 420});
            },
        },
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        anAlert: {
            // the tab's map was laid out while its panel was still settling: measure it again once the list is in
            resize: function () { return Date.now(); },
            // the chosen alert's area stands out (restyled in the browser: no data is sent again)
            selected: function (sel) { return {sel: sel && typeof sel.id === "number" ? sel.id : null}; },
        },
    });
})();
