/* The scenario form shows only the fields the chosen scenario type and frequency use, as the
   admin guide's form does: Frequency and Value above for monetary scenarios (Value above only
   when value based), Activity type for non-monetary ones; choosing an action fills in its
   scenario type when none is chosen yet. Without this script every field is shown and the
   server ignores the ones the choice doesn't use. */
(function () {
  "use strict";

  var form = document.querySelector("form.scenario-form");
  if (!form) {
    return;
  }
  var type = form.querySelector("#scenario_type");
  var frequency = form.querySelector("#frequency");
  var action = form.querySelector("#action");
  if (!type || !frequency || !action) {
    return;
  }

  function show(id, visible) {
    var input = form.querySelector("#" + id);
    var field = input ? input.closest(".field") : null;
    if (field) {
      field.hidden = !visible;
    }
  }

  function update() {
    var kind = type.value;
    show("frequency", kind !== "non_monetary");
    show("value_above", kind !== "non_monetary" && frequency.value !== "always");
    show("activity_type", kind !== "monetary");
  }

  action.addEventListener("change", function () {
    var chosen = action.options[action.selectedIndex];
    var group = chosen ? chosen.parentElement : null;
    var kind = group && group.getAttribute("data-type");
    if (kind && !type.value) {
      type.value = kind;
    }
    update();
  });
  type.addEventListener("change", update);
  frequency.addEventListener("change", update);
  update();
})();
