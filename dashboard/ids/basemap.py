"""IDs of the base layers every map offers (components/basemap.py, assets/basemap.js): the panes the city's own
basemap and its names are drawn in (Leaflet gives them the classes ``leaflet-bm-base-pane`` and
``leaflet-bm-labels-pane``) and the layer switch of each map."""

BASE_PANE = "bm-base"
LABEL_PANE = "bm-labels"
#: the layer switch (dl.LayersControl) of each map, by the map's key
SWITCH = {
    "wall": "bm-switch-wall",
    "workbench": "bm-switch-workbench",
    "stats": "bm-switch-stats",
    "grid": "bm-switch-grid",
    "public": "bm-switch-public",
    "moderation": "bm-switch-moderation",
    "an-alerts": "bm-switch-an-alerts",
    "an-hot": "bm-switch-an-hot",
    "an-places": "bm-switch-an-places",
    "an-corr": "bm-switch-an-corr",
    "an-campaign": "bm-switch-an-campaign",
    "subscriptions": "bm-switch-subscriptions",
}
