// `npm run push:keys`: makes a new VAPID key pair for web push and prints it as the two
// environment lines to paste into the server's settings (and `npm run notify:work`'s). Keep the
// private key secret. Changing the pair later ends every browser's push subscription: browsers
// subscribed with the old public key, so push services refuse messages signed with a new one.
import webPush from 'web-push';

const { publicKey, privateKey } = webPush.generateVAPIDKeys();
console.log(`VAPID_PUBLIC_KEY=${publicKey}`);
console.log(`VAPID_PRIVATE_KEY=${privateKey}`);
