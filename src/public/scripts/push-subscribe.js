// "Get updates on this device" (src/components/PushSubscribe.astro): web push, a progressive
// enhancement beside email. The block is hidden in the HTML; this script shows it only where
// the browser has service workers, the Push API and notifications, on a secure page, and the
// site has a push key (data-public-key). On click it registers the service worker (/sw.js),
// asks the browser for a push subscription (the browser asks the resident) and sends it to
// POST /subscribe/push with what to follow (data-target). It says what happened in the block's
// status line (aria-live). Without JavaScript, or if anything here fails, the page works as
// it always does: email updates need none of it.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window) || !window.isSecureContext) return;
  var blocks = document.querySelectorAll('[data-push-subscribe]');

  /** The VAPID public key (base64url) as the bytes pushManager.subscribe wants. */
  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) base64 += '=';
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameBytes(buffer, bytes) {
    if (!buffer) return false;
    var view = new Uint8Array(buffer);
    if (view.length !== bytes.length) return false;
    for (var i = 0; i < view.length; i++) if (view[i] !== bytes[i]) return false;
    return true;
  }

  /** This browser's push subscription for the site's key: the one it has, or a new one. */
  function subscription(registration, key) {
    return registration.pushManager.getSubscription().then(function (existing) {
      if (existing && sameBytes(existing.options && existing.options.applicationServerKey, key)) return existing;
      // One made with an older key of the site's can no longer be used: replace it.
      var ended = existing ? existing.unsubscribe() : Promise.resolve(true);
      return ended.then(function () {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      });
    });
  }

  function enhance(block) {
    var key = block.getAttribute('data-public-key');
    var target = block.getAttribute('data-target');
    var button = block.querySelector('[data-push-button]');
    var status = block.querySelector('[data-push-status]');
    if (!key || !target || !button || !status || block.hasAttribute('data-push-ready')) return;
    block.setAttribute('data-push-ready', '');

    function say(text, link) {
      status.textContent = text;
      if (link) {
        var a = document.createElement('a');
        a.className = 'govuk-link';
        a.href = link;
        a.textContent = 'Manage your updates';
        status.appendChild(document.createTextNode(' '));
        status.appendChild(a);
      }
    }

    button.addEventListener('click', function () {
      button.disabled = true;
      say('Setting up updates on this device…');
      var bytes = keyBytes(key);
      navigator.serviceWorker
        .register('/sw.js', { scope: '/' })
        .then(function () {
          return navigator.serviceWorker.ready;
        })
        .then(function (registration) {
          return subscription(registration, bytes);
        })
        .then(function (pushSubscription) {
          return fetch('/subscribe/push', {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ target: target, subscription: pushSubscription.toJSON() }),
          });
        })
        .then(function (response) {
          return response.json().then(
            function (answer) {
              return { ok: response.ok && answer && answer.ok === true, answer: answer || {} };
            },
            function () {
              return { ok: false, answer: {} };
            },
          );
        })
        .then(function (result) {
          if (!result.ok) {
            button.disabled = false;
            say(result.answer.message || 'Something went wrong and we could not set up updates. Please try again later, or get updates by email.');
            return;
          }
          say('Done. This device will show a message when this changes.', result.answer.manageUrl);
        })
        .catch(function (error) {
          button.disabled = false;
          // Turned down (now or before), or the prompt closed: the resident's choice. A browser
          // that allows messages and still refuses (no push service, private browsing) is not.
          if (Notification.permission === 'denied' || (error && error.name === 'NotAllowedError' && Notification.permission !== 'granted')) {
            say('Your browser did not allow messages from this site. You can change this in your browser settings, or get updates by email.');
          } else {
            say('We could not set up updates on this device. Please try again later, or get updates by email.');
          }
        });
    });
    block.hidden = false;
  }

  for (var i = 0; i < blocks.length; i++) enhance(blocks[i]);
})();
