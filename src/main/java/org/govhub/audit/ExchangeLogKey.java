package org.govhub.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.govhub.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The hub's own Ed25519 key that signs every exchange log entry. Generated at the first start as
 * {@code <data-dir>/audit/exchange-log-signing-key.pem} (PKCS#8, readable by the hub's user only)
 * with {@code exchange-log-public.pem} beside it; {@code govhub.audit.key-path} names another
 * private key file (prod: a mounted secret), whose public half must then lie beside it under that name.
 */
@Component
public class ExchangeLogKey {

    private static final Logger log = LoggerFactory.getLogger(ExchangeLogKey.class);
    public static final String PUBLIC_FILE = "exchange-log-public.pem";
    static final String PRIVATE_FILE = "exchange-log-signing-key.pem";

    private final Ed25519PrivateKeyParameters signingKey;
    private final PublicKey publicKey;
    private final String publicPem;

    public ExchangeLogKey(@Value("${govhub.data-dir}") String dataDir, @Value("${govhub.audit.key-path:}") String keyPath) {
        Path privatePath = keyPath.isBlank() ? Path.of(dataDir, "audit", PRIVATE_FILE) : Path.of(keyPath);
        Path publicPath = privatePath.toAbsolutePath().resolveSibling(PUBLIC_FILE);
        try {
            if (!Files.exists(privatePath)) {
                generate(privatePath, publicPath);
            }
            signingKey = signingKey(Pem.privateKey(Files.readString(privatePath)), privatePath);
            if (!Files.exists(publicPath)) {
                throw new IllegalStateException("the exchange log's public key " + publicPath + " is missing: it must lie beside "
                        + privatePath);
            }
            publicPem = Files.readString(publicPath);
            publicKey = Pem.publicKey(publicPem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the exchange log signing key " + privatePath, e);
        }
        if (!matches()) {
            throw new IllegalStateException(publicPath + " is not the public half of " + privatePath);
        }
    }

    private static void generate(Path privatePath, Path publicPath) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        PrivateFiles.create(privatePath, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII));
        Files.writeString(publicPath, Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        log.info("exchange log signing key generated: {} (public half {})", privatePath.toAbsolutePath(), publicPath);
    }

    private static Ed25519PrivateKeyParameters signingKey(PrivateKey key, Path file) throws IOException {
        if (PrivateKeyFactory.createKey(key.getEncoded()) instanceof Ed25519PrivateKeyParameters ed25519) {
            return ed25519;
        }
        throw new IllegalStateException("the exchange log signing key " + file + " is a " + key.getAlgorithm() + " key, not Ed25519");
    }

    private boolean matches() {
        byte[] probe = "govhub exchange log key check".getBytes(StandardCharsets.US_ASCII);
        return verify(publicKey, probe, sign(probe));
    }

    /**
     * Base64 of the Ed25519 signature over {@code bytes}. Signed by Bouncy Castle's RFC 8032 code: Ed25519
     * is deterministic, so these are the bytes the JDK's signer gives (the start-up check verifies one
     * with the JDK), at about a tenth of its CPU (JDK 17: 530 µs a signature, two per delivered batch).
     */
    public String sign(byte[] bytes) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, signingKey);
        signer.update(bytes, 0, bytes.length);
        return Base64.getEncoder().encodeToString(signer.generateSignature());
    }

    public static boolean verify(PublicKey key, byte[] bytes, String signatureBase64) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(bytes);
            return s.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicPem() {
        return publicPem;
    }
}
