package dev.rollback.notify;

/**
 * Sends a {@link Notification} somewhere: a chat webhook, a pager, a ticket. Implement it for a channel of your own;
 * {@link Webhook} is the one the library brings.
 *
 * <p>{@link #send} is called from the plan's notification thread, one notification at a time, never from the
 * rollback's thread. It throws to say the notification was not delivered: it is sent again, up to {@link
 * #attempts()} times in all, with a backoff; after the last attempt the failure is logged and the notification
 * given up. A failure never changes the rollback.
 */
public interface Notifier {

    /**
     * Sends one notification.
     *
     * @throws Exception if it was not delivered; it may be sent again
     */
    void send(Notification notification) throws Exception;

    /** A short name for the logs, such as the webhook's host; never a secret. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** How many times a notification is tried in all before it is given up (3 by default). */
    default int attempts() {
        return 3;
    }
}
