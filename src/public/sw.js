// The site's service worker, for web push only: it shows each message the server pushes
// ({ title, body, url, tag } as JSON, see src/lib/notifications/push-sender.ts) as a
// notification, and opens the message's page when it is clicked. It caches nothing and never
// handles page requests, so the site works exactly as it does without it. Served at /sw.js so
// its scope is the whole site ('/').
'use strict';

self.addEventListener('install', function () {
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

/** The page to open: the message's own web address when it is one, the home page otherwise. */
function pageFor(url) {
  try {
    var page = new URL(url || '/', self.location.origin);
    return page.protocol === 'https:' || page.protocol === 'http:' ? page.href : self.location.origin + '/';
  } catch (error) {
    return self.location.origin + '/';
  }
}

self.addEventListener('push', function (event) {
  var message = {};
  if (event.data) {
    try {
      message = event.data.json();
    } catch (error) {
      message = { body: event.data.text() };
    }
  }
  var title = typeof message.title === 'string' && message.title ? message.title : 'An update from the council';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' ? message.tag : undefined,
      icon: '/favicon.svg',
      data: { url: pageFor(message.url) },
    }),
  );
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var url = pageFor(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === url && 'focus' in windows[i]) return windows[i].focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});
