/* The city's own basemap on every map (components/basemap.py): vector tiles of /basemap/v1 drawn on canvas by
   Leaflet.VectorGrid (assets/vendor, its licence beside it), road names written beside the roads from zoom 15 and
   the names of points of interest from zoom 16, as text in a pane of their own (bm-labels).

   The layer group of the "城市底图 / City map" base layer calls gy.basemap.add (light maps) or addDark (the wall)
   when it is put on the map; the vector grid and the labels live inside that group, so switching the base layer
   off removes them and switching it on again shows them without a new request. Nothing comes from another host. */
(function () {
    "use strict";
    var LABEL_ZOOM = 15, POI_ZOOM = 16, TILE = 256, BASE_PANE = "bm-base", LABEL_PANE = "bm-labels";
    var info = null;

    function about() {
        if (!info) {
            info = fetch("/basemap/v1/info.json", {credentials: "same-origin"})
                .then(function (r) { return r.ok ? r.json() : {version: 0}; })
                .catch(function () { info = null; return {version: 0}; });
        }
        return info;
    }

    var THEMES = {
        light: {
            green: "#cfe6bf", water: "#a8d1f0", waterLine: "#82b8e2", building: "#dcd6cc", buildingLine: "#c5bdb0",
            casing: "#b5ab9b", major: "#fcd27d", middle: "#fff1bf", minor: "#ffffff", path: "#f4efe6", poi: "#7b5ea7"
        },
        dark: {
            green: "#12301f", water: "#103a5a", waterLine: "#1d5580", building: "#1b2a38", buildingLine: "#25394c",
            casing: "#0b1520", major: "#7a6531", middle: "#3d5573", minor: "#2e4258", path: "#25374a", poi: "#9b86c4"
        }
    };
    /* road width in pixels at zoom 15 by rank (0 = motorway … 6 = path) */
    var WIDTH = [7, 6, 5, 4, 3, 2, 1.2];

    function roadWidth(rank, zoom) {
        var w = WIDTH[Math.min(Math.max(rank, 0), 6)] * Math.pow(2, (zoom - 15) / 1.6);
        return Math.max(0.6, Math.min(w, 28));
    }

    function styler(theme) {
        var c = THEMES[theme] || THEMES.light;
        return function (p, zoom) {
            switch (p.layer) {
            case "green":
                return {fill: true, fillColor: c.green, fillOpacity: 0.9, stroke: false, weight: 0};
            case "water":
                return {fill: true, fillColor: c.water, fillOpacity: 1, color: c.waterLine, weight: 1};
            case "building":
                return {fill: true, fillColor: c.building, fillOpacity: 1, color: c.buildingLine, weight: 0.6};
            case "road":
                var w = roadWidth(p.rank, zoom);
                var fill = p.rank <= 1 ? c.major : p.rank <= 3 ? c.middle : p.rank <= 5 ? c.minor : c.path;
                if (zoom < 13 || p.rank >= 6) {
                    return {color: fill === c.minor ? c.casing : fill, weight: w, lineCap: "round", fill: false};
                }
                return [
                    {color: c.casing, weight: w + 2, lineCap: "round", lineJoin: "round", fill: false},
                    {color: fill, weight: w, lineCap: "round", lineJoin: "round", fill: false}
                ];
            case "poi":
                return {radius: 3, fill: true, fillColor: c.poi, fillOpacity: 0.9, color: "#ffffff", weight: 1};
            default:
                return [];
            }
        };
    }

    /* a name along a road: turned with it; on a steep road Chinese is written top to bottom, upright (as on
       Chinese maps), turned by what is left of the angle */
    function label(text, cls, angle) {
        var span = document.createElement("span");
        span.textContent = text;  /* data, never markup */
        if (angle && Math.abs(angle) > 60 && /[\u4e00-\u9fff]/.test(text)) {
            span.style.writingMode = "vertical-rl";
            angle = angle > 0 ? angle - 90 : angle + 90;
        }
        if (angle) {
            span.style.transform = "translate(-50%, -50%) rotate(" + angle.toFixed(1) + "deg)";
        }
        return L.divIcon({className: cls, html: span, iconSize: null});
    }

    /* one label per road name and tile: on the longest straight piece whose middle lies inside the tile */
    function roadLabels(features, extent, minPx) {
        var best = {};
        var scale = TILE / extent;
        features.forEach(function (f) {
            var p = f.properties || {};
            if (p.layer !== "road" || !p.name || f.type !== 2) {
                return;
            }
            f.geometry.forEach(function (line) {
                for (var i = 1; i < line.length; i++) {
                    var a = line[i - 1], b = line[i];
                    var mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
                    if (mx < 0 || my < 0 || mx >= extent || my >= extent) {
                        continue;
                    }
                    var len = Math.hypot(b.x - a.x, b.y - a.y) * scale;
                    if (len >= minPx && (!best[p.name] || best[p.name].len < len)) {
                        var deg = Math.atan2(b.y - a.y, b.x - a.x) * 180 / Math.PI;
                        if (deg > 90) { deg -= 180; } else if (deg <= -90) { deg += 180; }
                        best[p.name] = {len: len, x: mx * scale, y: my * scale, deg: deg, rank: p.rank};
                    }
                }
            });
        });
        return best;
    }

    function addLabels(grid, coords, tile) {
        var map = grid._map;
        if (!map || coords.z < LABEL_ZOOM) {
            return;
        }
        var layer = (tile.layers || {}).basemap;
        if (!layer || !layer.features) {
            return;
        }
        var origin = L.point(coords.x * TILE, coords.y * TILE);
        var key = coords.x + ":" + coords.y + ":" + coords.z;
        var markers = [];
        var found = roadLabels(layer.features, layer.extent, 36);
        Object.keys(found).forEach(function (name) {
            var l = found[name];
            var at = map.unproject(origin.add(L.point(l.x, l.y)), coords.z);
            var cls = "bm-road-label" + (l.rank <= 1 ? " bm-road-major" : "");
            markers.push(L.marker(at, {icon: label(name, cls, l.deg), interactive: false, keyboard: false,
                pane: LABEL_PANE}));
        });
        if (coords.z >= POI_ZOOM) {
            layer.features.forEach(function (f) {
                var p = f.properties || {};
                if (p.layer === "poi" && p.name && f.type === 1) {
                    var pt = f.geometry[0][0];
                    if (pt.x < 0 || pt.y < 0 || pt.x >= layer.extent || pt.y >= layer.extent) {
                        return;
                    }
                    var at = map.unproject(origin.add(L.point(pt.x * TILE / layer.extent, pt.y * TILE / layer.extent)),
                        coords.z);
                    markers.push(L.marker(at, {icon: label(p.name, "bm-poi-label", 0), interactive: false,
                        keyboard: false, pane: LABEL_PANE}));
                }
            });
        }
        grid._bmLabels[key] = markers;
        markers.forEach(function (m) { grid._bmLabelGroup.addLayer(m); });
    }

    function makeGrid(version, attribution, theme, group) {
        var Grid = L.VectorGrid.Protobuf.extend({
            _getVectorTilePromise: function (coords) {
                var self = this;
                return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, coords).then(function (t) {
                    if (self._tileZoom === coords.z) {
                        addLabels(self, coords, t);
                    }
                    return t;
                });
            }
        });
        var grid = new Grid("/basemap/v1/" + version + "/{z}/{x}/{y}.pbf", {
            rendererFactory: L.canvas.tile,
            vectorTileLayerStyles: {basemap: styler(theme)},
            interactive: false,
            pane: BASE_PANE,
            maxNativeZoom: 18,
            minZoom: 8,
            maxZoom: 20,
            attribution: attribution,
            fetchOptions: {credentials: "same-origin"}
        });
        grid._bmLabels = {};
        grid._bmLabelGroup = L.layerGroup();
        grid.on("tileunload", function (e) {
            var key = e.coords.x + ":" + e.coords.y + ":" + e.coords.z;
            (grid._bmLabels[key] || []).forEach(function (m) { grid._bmLabelGroup.removeLayer(m); });
            delete grid._bmLabels[key];
        });
        group.addLayer(grid);
        group.addLayer(grid._bmLabelGroup);
    }

    function attach(group, theme) {
        var map = group._map;
        if (!map || group._bmStarted || !window.L || !L.VectorGrid) {
            return;
        }
        group._bmStarted = true;
        [[BASE_PANE, null], [LABEL_PANE, "none"]].forEach(function (p) {
            if (!map.getPane(p[0])) {
                var pane = map.createPane(p[0]);
                if (p[1]) { pane.style.pointerEvents = p[1]; }
            }
        });
        about().then(function (a) {
            if (a && a.version) {
                makeGrid(a.version, a.attribution || "", theme, group);
            } else {
                group._bmStarted = false;
            }
        });
    }

    window.gy = Object.assign({}, window.gy);
    function on(group, yes) {
        if (group._map) {
            group._map.getContainer().classList.toggle("bm-on", yes);
        }
    }

    window.gy.basemap = {
        add: function (e) { on(e.target, true); attach(e.target, "light"); },
        addDark: function (e) { on(e.target, true); attach(e.target, "dark"); },
        remove: function (e) { on(e.target, false); }
    };
}());
