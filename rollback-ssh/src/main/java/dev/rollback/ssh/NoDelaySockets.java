package dev.rollback.ssh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets with {@code TCP_NODELAY} for the SSH connections. SSH sends each of its packets whole, and every file
 * operation is a request followed by a wait for its answer; with Nagle's algorithm on, a small request written
 * while an earlier packet waits for its acknowledgement is held until the server's delayed ACK (40 ms on Linux).
 * Measured on loopback: a rollback of a config file and a small folder took 1.7 s with Nagle on, most of its
 * {@code stat}, {@code mkdir} and {@code chmod} calls waiting 40 ms each. OpenSSH's own client sets the same option.
 *
 * <p>Thread-safe and stateless.
 */
final class NoDelaySockets extends SocketFactory {

    static final NoDelaySockets INSTANCE = new NoDelaySockets();

    private NoDelaySockets() {}

    private static Socket noDelay(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return s;
    }

    @Override
    public Socket createSocket() throws IOException {
        return noDelay(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    /** A socket connected to {@code to}, bound first to {@code from} unless it is null. */
    private static Socket connected(InetSocketAddress to, InetSocketAddress from) throws IOException {
        Socket s = noDelay(new Socket());
        try {
            if (from != null) {
                s.bind(from);
            }
            s.connect(to);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
