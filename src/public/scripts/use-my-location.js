// "Use my location" for the place lookup: a progressive enhancement, never required. Where the
// browser has geolocation (and the page may use it), it adds a button to each lookup form
// (form[data-use-my-location]) that asks for the location once and opens the lookup's results
// with ?near=latitude,longitude — rounded to 3 decimal places (about 100 m), which is plenty
// for "0.8 miles" and keeps the exact position off the address bar. Without JavaScript, or if
// anything here fails, the form works as it always does.
(function () {
  'use strict';
  if (!('geolocation' in navigator) || !window.isSecureContext || !window.URL) return;
  var forms = document.querySelectorAll('form[data-use-my-location]');
  if (forms.length === 0) return;

  function enhance(form) {
    var group = form.querySelector('[data-lookup-buttons]') || form;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'govuk-button govuk-button--secondary';
    button.textContent = 'Use my location';
    var status = document.createElement('p');
    status.className = 'govuk-body-s govuk-!-margin-bottom-0';
    status.setAttribute('role', 'status');
    group.appendChild(button);
    group.parentNode.insertBefore(status, group.nextSibling);

    button.addEventListener('click', function () {
      button.disabled = true;
      status.textContent = 'Finding your location…';
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var near = position.coords.latitude.toFixed(3) + ',' + position.coords.longitude.toFixed(3);
          var url = new URL(form.getAttribute('action') || '/find', window.location.href);
          url.search = '';
          url.searchParams.set('near', near);
          var service = form.querySelector('select[name="service"]');
          if (service && service.value) url.searchParams.set('service', service.value);
          window.location.assign(url.toString());
        },
        function (error) {
          button.disabled = false;
          status.textContent =
            error && error.code === 1
              ? 'Your browser did not share your location. Type your postcode instead.'
              : 'We could not find your location. Type your postcode instead.';
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
      );
    });
  }

  function enhanceAll() {
    for (var i = 0; i < forms.length; i++) enhance(forms[i]);
  }

  // Where the page may not use geolocation (Permissions-Policy) or the resident said no before,
  // a button that can only fail would be worse than none.
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: 'geolocation' }).then(
      function (permission) {
        if (permission.state !== 'denied') enhanceAll();
      },
      enhanceAll,
    );
  } else {
    enhanceAll();
  }
})();
