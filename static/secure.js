// Live PIN feedback on the secure pages. The server checks every rule again (and more: common
// PINs, phone number, date of birth); this only helps the customer choose before posting.
"use strict";
(function () {
  function isRepeat(pin) {
    for (var size = 1; size <= pin.length / 2; size++) {
      if (pin.length % size === 0 && pin.slice(0, size).repeat(pin.length / size) === pin) return true;
    }
    return false;
  }
  function isSequence(pin) {
    var steps = {};
    for (var i = 1; i < pin.length; i++) steps[(+pin[i] - +pin[i - 1] + 10) % 10] = true;
    var keys = Object.keys(steps);
    return keys.length === 1 && (keys[0] === "1" || keys[0] === "9");
  }
  document.querySelectorAll("[data-pin-feedback]").forEach(function (list) {
    var pin = document.getElementById(list.dataset.pinFeedback);
    var again = document.getElementById(list.dataset.pinRepeat);
    function mark(rule, ok, show) {
      var item = list.querySelector('[data-rule="' + rule + '"]');
      item.classList.toggle("pass", show && ok);
      item.classList.toggle("fail", show && !ok);
    }
    function update() {
      var value = pin.value, digits = /^[0-9]{6,12}$/.test(value), typed = value.length > 0;
      mark("length", digits, typed);
      mark("pattern", digits && !isRepeat(value), typed && digits);
      mark("sequence", digits && !isSequence(value), typed && digits);
      mark("match", value === again.value, again.value.length > 0);
    }
    pin.addEventListener("input", update);
    again.addEventListener("input", update);
  });
})();
