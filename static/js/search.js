/*
 * Vindplaats search enhancements (progressive: without this file, or
 * without JavaScript, the search forms work as plain forms).
 *
 * 1. Suggestions as you type on every input with data-suggest (the ARIA 1.2
 *    combobox pattern with a listbox popup): arrow keys move through the
 *    options, Enter opens one, Escape closes the list, the mouse works too.
 * 2. With htmx on the search page: a checkbox or the sort order updates the
 *    results and the filters at once, the new number of results is
 *    announced in the live region, focus goes to the results when its
 *    element was replaced, and a filter the visitor opened stays open.
 * 3. On every page: a form's error summary gets focus when the page loads.
 * 4. The search page's filters in a dialog on small screens.
 * 5. A box that finds a value in a long filter as you type.
 */
(function () {
    "use strict";

    var DELAY = 150;
    var MIN_LENGTH = 2;

    /* ---- 1. Suggestions (combobox) ---- */

    function setUp(input) {
        if (input.dataset.suggestReady) {
            return;
        }
        var listId = input.id + "-suggestions";
        var list = document.getElementById(listId);
        if (!list) {
            list = document.createElement("ul");
            list.id = listId;
            list.className = "suggest__list";
            list.setAttribute("role", "listbox");
            list.setAttribute("aria-label", input.dataset.suggestLabel || "");
            list.hidden = true;
            input.insertAdjacentElement("afterend", list);
        }
        var statusId = input.id + "-suggestions-status";
        if (!document.getElementById(statusId)) {
            var status = document.createElement("div");
            status.id = statusId;
            status.className = "visually-hidden";
            status.setAttribute("role", "status");
            list.insertAdjacentElement("afterend", status);
        }
        input.setAttribute("role", "combobox");
        input.setAttribute("aria-autocomplete", "list");
        input.setAttribute("aria-expanded", "false");
        input.setAttribute("aria-controls", listId);
        input.dataset.suggestReady = "1";
    }

    function setUpAll(root) {
        var inputs = (root || document).querySelectorAll("input[data-suggest]");
        for (var i = 0; i < inputs.length; i++) {
            setUp(inputs[i]);
        }
    }

    function listOf(input) {
        return document.getElementById(input.getAttribute("aria-controls"));
    }

    function statusOf(input) {
        return document.getElementById(input.id + "-suggestions-status");
    }

    function options(input) {
        var list = listOf(input);
        return list ? list.querySelectorAll("[role=option]") : [];
    }

    function close(input) {
        var list = listOf(input);
        if (list) {
            list.hidden = true;
        }
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
    }

    function activate(input, index) {
        var all = options(input);
        for (var i = 0; i < all.length; i++) {
            all[i].setAttribute("aria-selected", i === index ? "true" : "false");
        }
        if (index < 0 || index >= all.length) {
            input.removeAttribute("aria-activedescendant");
            return;
        }
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({block: "nearest"});
    }

    function activeIndex(input) {
        var id = input.getAttribute("aria-activedescendant");
        var all = options(input);
        for (var i = 0; i < all.length; i++) {
            if (all[i].id === id) {
                return i;
            }
        }
        return -1;
    }

    function show(input, data) {
        var list = listOf(input);
        var status = statusOf(input);
        list.textContent = "";
        data.suggestions.forEach(function (suggestion, index) {
            var option = document.createElement("li");
            option.id = input.id + "-suggestion-" + index;
            option.className = "suggest__option suggest__option--" + (suggestion.kind === "practice" ? "practice" : "facet");
            option.setAttribute("role", "option");
            option.setAttribute("aria-selected", "false");
            option.dataset.url = suggestion.url;
            option.textContent = suggestion.label;
            list.appendChild(option);
        });
        input.removeAttribute("aria-activedescendant");
        if (data.suggestions.length) {
            list.hidden = false;
            input.setAttribute("aria-expanded", "true");
        } else {
            close(input);
        }
        if (status) {
            status.textContent = data.message || "";
        }
    }

    var timers = new WeakMap();
    var pending = new WeakMap();

    function fetchSuggestions(input) {
        var text = input.value.trim();
        if (pending.has(input)) {
            pending.get(input).abort();
            pending.delete(input);
        }
        if (text.length < MIN_LENGTH) {
            close(input);
            return;
        }
        var controller = new AbortController();
        pending.set(input, controller);
        var url = input.dataset.suggest + "?q=" + encodeURIComponent(text);
        fetch(url, {signal: controller.signal, headers: {Accept: "application/json"}})
            .then(function (response) {
                return response.ok ? response.json() : {suggestions: [], message: ""};
            })
            .then(function (data) {
                pending.delete(input);
                if (document.activeElement === input && input.value.trim() === text) {
                    show(input, data);
                }
            })
            .catch(function () {
                /* aborted or offline: the plain search field still works */
            });
    }

    function open(option) {
        window.location.href = option.dataset.url;
    }

    document.addEventListener("input", function (event) {
        var input = event.target;
        if (!input.matches || !input.matches("input[data-suggest]")) {
            return;
        }
        setUp(input);
        clearTimeout(timers.get(input));
        timers.set(input, setTimeout(function () {
            fetchSuggestions(input);
        }, DELAY));
    });

    document.addEventListener("keydown", function (event) {
        var input = event.target;
        if (!input.matches || !input.matches("input[data-suggest][role=combobox]")) {
            return;
        }
        var all = options(input);
        var expanded = input.getAttribute("aria-expanded") === "true";
        var index = activeIndex(input);
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            if (!all.length) {
                return;
            }
            event.preventDefault();
            if (!expanded) {
                listOf(input).hidden = false;
                input.setAttribute("aria-expanded", "true");
            }
            var step = event.key === "ArrowDown" ? 1 : -1;
            var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length;
            if (event.altKey) {
                return; /* Alt+ArrowDown only opens the list */
            }
            activate(input, next);
        } else if (event.key === "Enter" && expanded && index >= 0) {
            event.preventDefault();
            open(all[index]);
        } else if (event.key === "Escape" && expanded) {
            event.preventDefault();
            close(input);
        } else if (event.key === "Tab") {
            close(input);
        }
    });

    /* Mouse: pick an option without taking focus from the input first. */
    document.addEventListener("mousedown", function (event) {
        if (event.target.closest && event.target.closest(".suggest__list")) {
            event.preventDefault();
        }
    });
    document.addEventListener("click", function (event) {
        var option = event.target.closest && event.target.closest(".suggest__list [role=option]");
        if (option) {
            open(option);
        }
    });
    document.addEventListener("focusout", function (event) {
        var input = event.target;
        if (input.matches && input.matches("input[data-suggest][role=combobox]")) {
            close(input);
        }
    });

    /* ---- 2. The search page with htmx ---- */

    var REGION = "search-region";
    var FACETS = "search-facets";
    var DIALOG = "filters-dialog";

    function filtersDialog() {
        var dialog = document.getElementById(DIALOG);
        return dialog && typeof dialog.showModal === "function" ? dialog : null;
    }

    function dialogIsOpen() {
        var dialog = filtersDialog();
        return Boolean(dialog && dialog.open);
    }

    function announce() {
        var region = document.getElementById(REGION);
        /* Outside an open modal dialog the page is inert, and its live
         * region is not heard: the dialog has its own. */
        var announcer = document.getElementById(dialogIsOpen() ? "filters-dialog-announcer" : "search-announcer");
        if (!region || !announcer) {
            return;
        }
        /* Empty first, so the same number is announced again too. */
        announcer.textContent = "";
        setTimeout(function () {
            announcer.textContent = region.dataset.announcement || "";
        }, 100);
    }

    /* The filter the visitor last used, to give focus back to when the
     * value they used is gone after the update. */
    var lastFilter = null;

    /* A checkbox or the sort order updates the results at once (the
     * buttons stay for keyboard and for pages without htmx). The filters
     * and the sort order stand outside the form and belong to it through
     * their form attribute. */
    document.addEventListener("change", function (event) {
        var field = event.target;
        var form = field.form;
        if (!window.htmx || !form || !form.hasAttribute("data-search-form")) {
            return;
        }
        if (field.type === "checkbox" || field.tagName === "SELECT") {
            var details = field.closest && field.closest("details[id]");
            lastFilter = details ? details.id : null;
            form.requestSubmit();
        }
    });

    document.addEventListener("htmx:beforeRequest", function (event) {
        var region = document.getElementById(REGION);
        if (region && event.detail.target === region) {
            region.setAttribute("aria-busy", "true");
        }
    });

    /* The filters come back open where a value is chosen, closed elsewhere:
     * keep each one the visitor saw as they left it. */
    document.addEventListener("htmx:oobBeforeSwap", function (event) {
        var old = event.detail.target;
        var fragment = event.detail.fragment;
        if (!old || old.id !== FACETS || !fragment) {
            return;
        }
        var open = {};
        forEach(old.querySelectorAll("details[id]"), function (details) {
            open[details.id] = details.open;
        });
        forEach(fragment.querySelectorAll("details[id]"), function (details) {
            if (Object.prototype.hasOwnProperty.call(open, details.id)) {
                details.open = open[details.id];
            }
        });
    });

    function focusAfterUpdate() {
        var focused = document.activeElement;
        if (focused && focused !== document.body && document.contains(focused)) {
            return; /* htmx gave focus back to the element the visitor used */
        }
        if (dialogIsOpen()) {
            /* The value is gone from its list (a count of 0): its filter. */
            var details = lastFilter && document.getElementById(lastFilter);
            var summary = details && details.querySelector("summary");
            (summary || filtersDialog().querySelector("[data-filters-close]")).focus();
            return;
        }
        /* A page link or button is gone: go to the results. */
        focusResults();
    }

    function focusResults() {
        var heading = document.getElementById("results-heading");
        if (heading) {
            heading.focus({preventScroll: true});
            heading.scrollIntoView({block: "start"});
        }
    }

    document.addEventListener("htmx:afterSettle", function (event) {
        var target = event.detail.target;
        if (!target || target.id !== REGION) {
            return;
        }
        var region = document.getElementById(REGION);
        if (region) {
            region.removeAttribute("aria-busy");
        }
        setUpFilters();
        filterAllFacets();
        focusAfterUpdate();
        announce();
    });

    /* Do not keep an open list in the page that the back button restores. */
    document.addEventListener("htmx:beforeHistorySave", function () {
        var inputs = document.querySelectorAll("input[data-suggest][role=combobox]");
        for (var i = 0; i < inputs.length; i++) {
            close(inputs[i]);
        }
    });
    document.addEventListener("htmx:historyRestore", function () {
        setUpAll(document);
        setUpFilters();
        announce();
    });

    /* ---- 4. The filters in a dialog on small screens ---- */

    /* Below 56rem the filters leave the page for a modal dialog (the
     * browser keeps focus in it, Escape closes it); its button shows the
     * number of results the filters give and goes to them. Without
     * JavaScript the "Filters" link leads to them on the page. */
    var SMALL = window.matchMedia("(max-width: 55.99rem)");

    function forEach(list, callback) {
        for (var i = 0; i < list.length; i++) {
            callback(list[i]);
        }
    }

    function setUpFilters() {
        var form = document.querySelector("form[data-search-form]");
        var page = form && form.closest(".search-page");
        if (page && window.htmx) {
            page.classList.add("search-page--live");
        }
        forEach(document.querySelectorAll("a[data-filters-open]"), function (control) {
            if (filtersDialog()) {
                control.setAttribute("role", "button");
                control.setAttribute("aria-haspopup", "dialog");
            }
        });
    }

    function openFilters() {
        var dialog = filtersDialog();
        var filters = document.getElementById("filters");
        var slot = dialog && dialog.querySelector("[data-filters-slot]");
        if (!dialog || !filters || !slot || dialog.open) {
            return false;
        }
        /* A marker keeps the filters' place on the page for their return. */
        var home = document.createElement("div");
        home.id = "filters-home";
        home.hidden = true;
        filters.parentNode.insertBefore(home, filters);
        slot.appendChild(filters);
        dialog.showModal();
        return true;
    }

    function putFiltersBack() {
        var filters = document.getElementById("filters");
        var home = document.getElementById("filters-home");
        if (filters && home) {
            home.parentNode.insertBefore(filters, home);
            home.parentNode.removeChild(home);
        }
    }

    document.addEventListener("click", function (event) {
        var target = event.target;
        if (!target.closest) {
            return;
        }
        var opener = target.closest("[data-filters-open]");
        if (opener && SMALL.matches && openFilters()) {
            event.preventDefault();
            return;
        }
        var dialog = filtersDialog();
        if (!dialog || !dialog.open) {
            return;
        }
        if (target.closest("[data-filters-close]")) {
            dialog.close();
        } else if (target.closest("[data-filters-apply]") && window.htmx) {
            /* The results follow every change already: close, and go there. */
            event.preventDefault();
            dialog.close();
            focusResults();
        }
    });

    /* The "Filters" link acts as a button: Space opens the dialog too. */
    document.addEventListener("keydown", function (event) {
        var opener = event.target.closest && event.target.closest("a[data-filters-open][role=button]");
        if (opener && event.key === " ") {
            event.preventDefault();
            opener.click();
        }
    });

    /* Closed by its button, Escape or the apply button: the filters go back. */
    document.addEventListener("close", function (event) {
        if (event.target.id === DIALOG) {
            putFiltersBack();
        }
    }, true);

    /* Wider than the breakpoint, the filters stand beside the results. */
    SMALL.addEventListener("change", function (event) {
        var dialog = filtersDialog();
        if (!event.matches && dialog && dialog.open) {
            dialog.close();
        }
    });

    /* ---- 5. Finding a value in a long filter ---- */

    /* Compare without case and accents: "fryslan" finds "Fryslân". */
    function fold(text) {
        return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    }

    var statusTimers = new WeakMap();

    function filterFacet(input) {
        var list = document.getElementById(input.dataset.facetFilter);
        var status = document.getElementById(input.getAttribute("aria-describedby"));
        if (!list) {
            return;
        }
        var needle = fold(input.value.trim());
        var items = list.querySelectorAll(".facet__value");
        var shown = 0;
        forEach(items, function (item) {
            var label = item.querySelector("label");
            var box = item.querySelector("input");
            /* The label's text without its count. */
            var name = label && label.firstChild ? label.firstChild.nodeValue || "" : "";
            var visible = !needle || fold(name).indexOf(needle) >= 0 || (box && box.checked);
            item.hidden = !visible;
            if (visible) {
                shown += 1;
            }
        });
        if (!status) {
            return;
        }
        /* Said once the typing pauses, not at every key. */
        clearTimeout(statusTimers.get(status));
        statusTimers.set(status, setTimeout(function () {
            if (!needle) {
                status.textContent = "";
            } else if (!shown) {
                status.textContent = status.dataset.none || "";
            } else {
                status.textContent = (status.dataset.shown || "")
                    .replace("{shown}", shown)
                    .replace("{total}", items.length);
            }
        }, 400));
    }

    function filterAllFacets() {
        forEach(document.querySelectorAll("input[data-facet-filter]"), function (input) {
            if (input.value) {
                filterFacet(input);
            }
        });
    }

    document.addEventListener("input", function (event) {
        var input = event.target;
        if (input.matches && input.matches("input[data-facet-filter]")) {
            filterFacet(input);
        }
    });

    /* Escape in a box with text empties it (and leaves an open dialog open);
     * Enter does not send the search. */
    document.addEventListener("keydown", function (event) {
        var input = event.target;
        if (!input.matches || !input.matches("input[data-facet-filter]")) {
            return;
        }
        if (event.key === "Escape" && input.value) {
            event.preventDefault();
            event.stopPropagation();
            input.value = "";
            filterFacet(input);
        } else if (event.key === "Enter") {
            event.preventDefault();
        }
    });

    /* ---- 3. Forms (every page loads this file) ---- */

    /* After a failed POST the page comes back with an error summary at the
     * top of the form: move focus there, so keyboard and screen reader users
     * hear the problems first and reach each field from its link. This wins
     * over a field's autofocus and over focus on a part of the page around
     * the summary (the body, or main after the skip link left "#main" in the
     * URL), not over a field the visitor already chose. */
    function focusErrorSummary() {
        var summary = document.getElementById("error-summary");
        var focused = document.activeElement;
        if (summary && (!focused || focused.contains(summary) || focused.hasAttribute("autofocus"))) {
            summary.focus();
        }
    }

    function ready() {
        setUpAll(document);
        setUpFilters();
        filterAllFacets();
        focusErrorSummary();
    }

    /* A form that posts to a URL with a "#fragment" comes back with it, and
     * going to a fragment moves focus there (or, when it cannot take focus,
     * to the body) after the page loaded: focus the summary once more. */
    window.addEventListener("load", function () {
        setTimeout(focusErrorSummary, 0);
    });

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", ready);
    } else {
        ready();
    }
})();
