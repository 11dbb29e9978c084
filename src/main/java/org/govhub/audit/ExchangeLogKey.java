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

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String publicPem;

    public ExchangeLogKey(@Value("${govhub.data-dir}") String dataDir, @Value("${govhub.audit.key-path:}") String keyPath) {
        Path privatePath = keyPath.isBlank() ? Path.of(dataDir, "audit", PRIVATE_FILE) : Path.of(keyPath);
        Path publicPath = privatePath.toAbsolutePath().resolveSibling(PUBLIC_FILE);
        try {
            if (!Files.exists(privatePath)) {
                generate(privatePath, publicPath);
            }
            privateKey = Pem.privateKey(Files.readString(privatePath));
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

    private boolean matches() {
        byte[] probe = "govhub exchange log key check".getBytes(StandardCharsets.US_ASCII);
        return verify(publicKey, probe, sign(probe));
    }

    /** Base64 of the Ed25519 signature over {@code bytes}. */
    public String sign(byte[] bytes) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(bytes);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
