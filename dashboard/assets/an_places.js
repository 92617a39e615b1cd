/* The 多发地点 tab of /analysis: places as circles sized by their number of reports (red when some report came
 * back after closing), the chosen place outlined, and its cases as small dots (open: orange, closed: grey).
 * Referenced from Python as Namespace("anp", "map"). */
(function () {
    "use strict";
    window.anp = Object.assign({}, window.anp, {
        map: {
            place: function (feature, latlng, context) {
                const p = feature.properties;
                const h = (context && context.hideout) || {};
                const chosen = h.selected === p.key;
                const marker = L.circleMarker(latlng, {
                    radius: Math.min(30, 6 + 3 * Math.sqrt(p.n)),
                    color: chosen ? "#102a43" : "#ffffff",
                    weight: chosen ? 3 : 1.5,
                    fillColor: p.r > 0 ? "#c92a2a" : "#e8590c",
                    fillOpacity: 0.7,
                    className: "anp-place",
                });
                marker.bindTooltip(p.tip, {direction: "top", offset: [0, -6]});
                return marker;
            },
            case: function (feature, latlng) {
                const p = feature.properties;
                const marker = L.circleMarker(latlng, {
                    radius: 5, color: "#ffffff", weight: 1, fillOpacity: 0.95,
                    fillColor: p.open ? "#f08c00" : "#495057", className: "anp-case",
                });
                marker.bindTooltip(p.tip, {direction: "top", offset: [0, -4]});
                return marker;
            },
        },
    });
})();
