/* /stats in the browser: Enter (or Space) on a focused number cell of the evaluation table opens its
 * drill-down, as a click does. Referenced from Python as the AG Grid event listener
 * "statsCellKey(params, setEventData)" (dash-ag-grid looks functions up in window.dashAgGridFunctions). */
(function () {
    "use strict";
    window.dashAgGridFunctions = Object.assign({}, window.dashAgGridFunctions, {
        statsCellKey: function (params, setEventData) {
            const key = params.event && params.event.key;
            if (key !== "Enter" && key !== " ") {
                return;
            }
            params.event.preventDefault();
            setEventData({colId: params.column.getColId(), rowId: params.node.id});
        },
    });
})();
