/* The public map in the browser: markers and popups (window.gyPub.map, used from Python through
   Namespace("gyPub", "map")) and the clientside callbacks (window.dash_clientside.pub). Nothing here talks to
   any host but this app. Texts come from the page's label store (dashboard.i18n), in both languages. */
window.gyPub = (function () {
    const state = {lang: "zh", labels: null, cats: {}};
    const STAGE_COLORS = ["#3b7dd8", "#f08c00", "#2f9e44", "#868e96"];

    function lab() {
        return (state.labels && state.labels[state.lang]) || {kinds: {}, stages: [], repCount: "{n}"};
    }
    function esc(s) {
        return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
        });
    }
    function abbrev(n) {
        return n >= 10000 ? Math.round(n / 1000) + "k" : n >= 1000 ? (n / 1000).toFixed(1) + "k" : String(n);
    }

    function reportPopup(p) {
        const l = lab();
        let html = '<div class="pub-pop"><b>' + esc(l.repCount.replace("{n}", p.n)) + "</b><div class=\"pub-pop-stages\">";
        p.s.forEach(function (count, i) {
            if (count) {
                html += '<span><i class="pub-dot" style="background:' + STAGE_COLORS[i] + '"></i>' +
                    esc(l.stages[i]) + " " + count + "</span>";
            }
        });
        html += "</div>";
        if (p.items && p.items.length) {
            html += '<div class="pub-pop-sub">' + esc(l.latest) + "</div><ul>";
            p.items.forEach(function (it) {
                const cat = state.cats[it[0]];
                html += "<li>" + esc(cat ? cat[state.lang === "en" ? 1 : 0] : it[0]) + ' · <span style="color:' +
                    STAGE_COLORS[it[1]] + '">' + esc(l.stages[it[1]]) + "</span> · " + esc(it[2]);
                if (it[3]) {
                    html += '<br><img class="pub-pop-photo" loading="lazy" alt="' + esc(l.photo) +
                        '" src="/media/public/' + Number(it[3]) + '/thumb">';
                }
                html += "</li>";
            });
            html += "</ul>";
        }
        return html + "</div>";
    }

    return {
        state: state,
        map: {
            districtStyle: function (feature) {
                const grid = feature.properties.has_grid;
                return {color: "#6b8f86", weight: grid ? 1.6 : 1, dashArray: grid ? null : "4 4",
                        fillColor: grid ? "#eef4ef" : "#f6f5ef", fillOpacity: 1, className: "pub-land"};
            },
            gridStyle: function () {
                return {color: "#9fb5ad", weight: 0.6, fill: false, interactive: false};
            },
            beautyMarker: function (feature, latlng, context) {
                const h = (context && context.hideout) || {};
                const p = feature.properties;
                const icon = L.divIcon({
                    className: "pub-m pub-m-beauty",
                    html: '<img src="/media/public/' + Number(p.photo) + '/icon" alt="" width="44" height="44">',
                    iconSize: [48, 48], iconAnchor: [24, 24],
                });
                return L.marker(latlng, {icon: icon, title: p.title, alt: p.title, keyboard: true, riseOnHover: true,
                                         pane: h.pane || "markerPane"});
            },
            serviceMarker: function (feature, latlng) {
                const p = feature.properties;
                const icon = L.divIcon({
                    className: "pub-m pub-m-svc pub-k-" + p.kind,
                    html: '<img src="/assets/icons/' + esc(p.kind) + '.svg" alt="" width="26" height="26">',
                    iconSize: [28, 28], iconAnchor: [14, 14],
                });
                const marker = L.marker(latlng, {icon: icon, title: p.name_zh, keyboard: true});
                marker.bindPopup(function () {
                    const l = lab();
                    return '<div class="pub-pop"><b>' + esc(state.lang === "en" ? p.name_en : p.name_zh) +
                        '</b><div class="pub-pop-sub">' + esc(l.kinds[p.kind] || p.kind) + "</div>" +
                        (p.hours ? "<div>" + esc(l.hours) + ": " + esc(p.hours) + "</div>" : "") +
                        (p.address ? "<div>" + esc(l.address) + ": " + esc(p.address) + "</div>" : "") + "</div>";
                }, {maxWidth: 260});
                return marker;
            },
            serviceCluster: function (feature, latlng, index, context) {
                // one cluster group per kind (pages/public.py): the kind's icon and how many points it holds
                const kind = ((context && context.hideout) || {}).kind || "";
                const n = feature.properties.point_count;
                const name = lab().kinds[kind] || kind;
                const icon = L.divIcon({
                    className: "pub-m pub-m-svc-cluster pub-k-" + esc(kind),
                    html: '<img src="/assets/icons/' + esc(kind) + '.svg" alt="" width="20" height="20"><b>' +
                        abbrev(n) + "</b>",
                    iconSize: [46, 28], iconAnchor: [23, 14],
                });
                return L.marker(latlng, {icon: icon, title: name + " × " + n, keyboard: true});
            },
            adminMarker: function (feature, latlng) {  // /moderation: click to select, no popup
                const p = feature.properties;
                const icon = L.divIcon({
                    className: "pub-m pub-m-svc",
                    html: '<img src="/assets/icons/' + esc(p.kind) + '.svg" alt="" width="24" height="24">',
                    iconSize: [26, 26], iconAnchor: [13, 13],
                });
                return L.marker(latlng, {icon: icon, title: "#" + p.id + " " + p.name_zh, keyboard: true});
            },
            dragEnd: function (e) {  // /moderation: the dragged edit marker's position becomes the pending one
                const ll = e.target.getLatLng();
                window.dash_clientside.set_props("mod-pt-pos", {data: [Math.round(ll.lat * 1e6) / 1e6,
                                                                       Math.round(ll.lng * 1e6) / 1e6]});
            },
            reportMarker: function (feature, latlng) {
                const p = feature.properties;
                let best = 0;
                p.s.forEach(function (c, i) { if (c > p.s[best]) { best = i; } });
                const size = Math.round(Math.min(44, 16 + 7 * Math.log10(1 + p.n)));
                const icon = L.divIcon({
                    className: "pub-m pub-m-rep",
                    html: '<div style="width:' + size + "px;height:" + size + "px;line-height:" + size +
                        "px;background:" + STAGE_COLORS[best] + '">' + (p.n > 1 ? abbrev(p.n) : "") + "</div>",
                    iconSize: [size, size], iconAnchor: [size / 2, size / 2],
                });
                const marker = L.marker(latlng, {icon: icon, keyboard: true, zIndexOffset: -500});
                marker.bindPopup(function () { return reportPopup(p); }, {maxWidth: 280});
                return marker;
            },
        },
    };
})();

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pub: {
        texts: function (lang, cats, labels) {
            const st = window.gyPub.state;
            st.cats = cats || {};
            st.lang = lang === "en" ? "en" : "zh";
            st.labels = labels;
            document.documentElement.lang = st.lang === "en" ? "en" : "zh-CN";
            return labels[st.lang].texts;
        },
        toggleLang: function (n, lang) {
            if (!n) {  // Dash fires callbacks of freshly inserted page content once, whatever prevent_initial_call says
                return window.dash_clientside.no_update;
            }
            return lang === "en" ? "zh" : "en";
        },
        reportsUrl: function (view) {
            if (!view || !view.bounds) {
                return window.dash_clientside.no_update;
            }
            const b = view.bounds;  // [[south, west], [north, east]]
            const r = function (v, up) { return (up ? Math.ceil(v * 100) : Math.floor(v * 100)) / 100; };
            const bbox = [r(b[0][1]), r(b[0][0]), r(b[1][1], true), r(b[1][0], true)].join(",");
            return "/public/v1/reports.json?bbox=" + bbox + "&zoom=" + Math.round(view.zoom || 12);
        },
        gridUrl: function (view) {
            if (!view || !view.bounds || view.zoom < 16) {
                return null;
            }
            const b = view.bounds;
            const r = function (v, up) { return (up ? Math.ceil(v * 100) : Math.floor(v * 100)) / 100; };
            const box = [r(b[0][1]), r(b[0][0]), r(b[1][1], true), r(b[1][0], true)];
            if ((box[2] - box[0]) * (box[3] - box[1]) > 0.0016) {
                return null;
            }
            return "/public/v1/grid.json?bbox=" + box.map(function (v) { return v.toFixed(2); }).join(",");
        },
        mapClass: function (layers, kinds, view, near) {
            const cls = ["pub-mapwrap"];
            ["beauty", "services", "reports"].forEach(function (k) {
                if (!layers || layers.indexOf(k) < 0) { cls.push("pub-off-" + k); }
            });
            ["toilet", "parking", "service_station", "water", "charging", "recycling", "rest"].forEach(function (k) {
                if (!kinds || kinds.indexOf(k) < 0) { cls.push("pub-koff-" + k); }
            });
            if (view && view.zoom < 13) { cls.push("pub-zlow"); }
            if (near && near.length) { cls.push("pub-nearing"); }  // after "nearest": the rest fades
            return cls.join(" ");
        },
        panel: function (tab) {
            return [tab ? "pub-panel" : "pub-panel pub-panel-closed", Date.now()];
        },
        photo: function (nOpen, nClose, feature) {
            const ctx = window.dash_clientside.callback_context;
            const trig = ctx.triggered.length ? ctx.triggered[0].prop_id : "";
            if (!nOpen || trig.indexOf("pub-photo-close") === 0 || !feature || !feature.properties) {
                return ["pub-photo", window.dash_clientside.no_update, "", "", ""];
            }
            const p = feature.properties;
            setTimeout(function () {
                const b = document.getElementById("pub-photo-close");
                if (b) { b.focus(); }
            }, 50);
            return ["pub-photo pub-photo-open", "/media/public/" + Number(p.photo) + "/full", p.title, p.title, p.body];
        },
        locate: function (n, view, lang, labels) {
            if (!n) {  // never ask for the location without a tap
                return [window.dash_clientside.no_update, window.dash_clientside.no_update];
            }
            const l = labels[lang === "en" ? "en" : "zh"];
            const centre = function () {
                if (!view || !view.bounds) { return {lon: 106.71, lat: 26.58, src: "centre", t: Date.now()}; }
                const b = view.bounds;
                return {lon: (b[0][1] + b[1][1]) / 2, lat: (b[0][0] + b[1][0]) / 2, src: "centre", t: Date.now()};
            };
            window.dash_clientside.set_props("pub-near-status", {children: l.locating});
            return new Promise(function (resolve) {
                if (!navigator.geolocation) { resolve([centre(), window.dash_clientside.no_update]); return; }
                navigator.geolocation.getCurrentPosition(function (pos) {
                    resolve([{lon: Math.round(pos.coords.longitude * 1e4) / 1e4,
                              lat: Math.round(pos.coords.latitude * 1e4) / 1e4, src: "gps", t: Date.now()},
                             window.dash_clientside.no_update]);
                }, function () {
                    resolve([centre(), window.dash_clientside.no_update]);
                }, {timeout: 6000, maximumAge: 60000, enableHighAccuracy: false});
            });
        },
        clearNear: function (n) {
            return n ? null : window.dash_clientside.no_update;
        },
        flyTo: function (clicks, data) {
            const ctx = window.dash_clientside.callback_context;
            if (!ctx.triggered.length || !data) { return window.dash_clientside.no_update; }
            const trig = ctx.triggered[0];
            if (!trig.value) { return window.dash_clientside.no_update; }
            const id = JSON.parse(trig.prop_id.split(".")[0]);
            const pt = data[id.index];
            return pt ? {center: pt, zoom: 17, transition: "flyTo"} : window.dash_clientside.no_update;
        },
    },
    modPub: {
        marker: function (pos, sel, lang, labels) {
            const l = labels[lang === "en" ? "en" : "zh"];
            const title = sel ? l.editing.replace("{id}", sel) : l.new;
            if (!pos) {
                return [window.dash_clientside.no_update, 0, l.nopos, title];
            }
            const text = l.pos.replace("{lon}", pos[1].toFixed(6)).replace("{lat}", pos[0].toFixed(6));
            return [pos, 1, text, title];
        },
    },
});
