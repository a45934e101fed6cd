package dev.rollback.ssh;

import dev.rollback.host.HostException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;

/**
 * Public-key login with the keys of a running ssh-agent: the agent signs, the private key never
 * leaves it. Speaks the agent protocol (list identities, sign) over its Unix socket.
 *
 * <p>One instance per login attempt; not shared between threads.
 */
final class AgentAuth extends AuthPublickey {

    private static final int FAILURE = 5;
    private static final int REQUEST_IDENTITIES = 11;
    private static final int IDENTITIES_ANSWER = 12;
    private static final int SIGN_REQUEST = 13;
    private static final int SIGN_RESPONSE = 14;
    private static final int RSA_SHA2_256 = 2;
    private static final int RSA_SHA2_512 = 4;

    private final Path socket;
    private final byte[] blob;

    private AgentAuth(Path socket, byte[] blob, PublicKey key) {
        super(new AgentKey(key));
        this.socket = socket;
        this.blob = blob;
    }

    /** One login method per key the agent holds. */
    static List<AuthMethod> methods(Path socket, String host) {
        try {
            Buffer.PlainBuffer answer = call(socket, new Buffer.PlainBuffer().putByte((byte) REQUEST_IDENTITIES));
            if (answer.readByte() != IDENTITIES_ANSWER) {
                throw new IOException("the agent refused to list its keys");
            }
            long n = answer.readUInt32();
            List<AuthMethod> out = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                byte[] keyBlob = answer.readBytes();
                answer.readString(); // comment
                try {
                    PublicKey key = new Buffer.PlainBuffer(keyBlob).readPublicKey();
                    out.add(new AgentAuth(socket, keyBlob, key));
                } catch (Buffer.BufferException unsupported) {
                    // a key type this client cannot use (such as a certificate); the others may do
                    continue;
                }
            }
            if (out.isEmpty()) {
                throw new IOException("the agent holds no key this client can use");
            }
            return out;
        } catch (IOException e) {
            throw new HostException("log in to " + host + " with the ssh-agent at " + socket + ": expected it to offer "
                    + "keys, found " + e.getMessage() + "; add a key with ssh-add, or use privateKey(...)", e);
        }
    }

    @Override
    protected SSHPacket putSig(SSHPacket reqBuf) throws UserAuthException {
        byte[] request = reqBuf.getCompactData();
        byte[] data = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putRawBytes(request)
                .getCompactData();
        try {
            Buffer.PlainBuffer sent = new Buffer.PlainBuffer(request);
            sent.readByte();
            sent.readString();
            sent.readString();
            sent.readString();
            sent.readBoolean();
            String algorithm = sent.readString();
            int flags = algorithm.equals("rsa-sha2-256") ? RSA_SHA2_256 : algorithm.equals("rsa-sha2-512") ? RSA_SHA2_512 : 0;
            Buffer.PlainBuffer answer = call(socket, new Buffer.PlainBuffer().putByte((byte) SIGN_REQUEST)
                    .putBytes(blob).putBytes(data).putUInt32(flags));
            int type = answer.readByte();
            if (type != SIGN_RESPONSE) {
                throw new UserAuthException("the ssh-agent at " + socket + " refused to sign"
                        + (type == FAILURE ? " (is the key confirmed or locked?)" : ""));
            }
            reqBuf.putBytes(answer.readBytes());
            return reqBuf;
        } catch (IOException e) {
            throw new UserAuthException("the ssh-agent at " + socket + " could not sign: " + e.getMessage(), e);
        }
    }

    /** Sends one message to the agent and reads its answer. */
    private static Buffer.PlainBuffer call(Path socket, Buffer.PlainBuffer message) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            byte[] body = message.getCompactData();
            ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer len = read(ch, 4);
            int n = len.getInt();
            if (n <= 0 || n > 256 * 1024) {
                throw new IOException("an answer of " + n + " bytes, which no agent sends");
            }
            return new Buffer.PlainBuffer(read(ch, n).array());
        }
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("the agent closed the connection");
            }
        }
        return b.flip();
    }

    /** The public half of an agent's key; the private half stays in the agent. */
    private record AgentKey(PublicKey key) implements KeyProvider {
        @Override
        public PrivateKey getPrivate() throws IOException {
            throw new IOException("the private key stays in the ssh-agent");
        }

        @Override
        public PublicKey getPublic() {
            return key;
        }

        @Override
        public KeyType getType() {
            return KeyType.fromKey(key);
        }
    }
}
