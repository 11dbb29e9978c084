package org.govhub.ingest;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.component.file.remote.FtpComponent;
import org.apache.camel.component.file.remote.FtpComponentConfigurer;
import org.apache.camel.component.file.remote.FtpEndpointConfigurer;
import org.apache.camel.component.file.remote.FtpConfiguration;
import org.apache.camel.component.file.remote.FtpConsumer;
import org.apache.camel.component.file.remote.FtpEndpoint;
import org.apache.camel.component.file.remote.FtpUtils;
import org.apache.camel.component.file.remote.RemoteFileComponent;
import org.apache.camel.component.file.remote.RemoteFileConsumer;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.util.FileUtil;
import org.apache.commons.net.ftp.FTPFile;
import org.springframework.stereotype.Component;

/**
 * The consumer of the file-drop sources, scheme {@code ftp-drop} (routes/ftp-source.kamelet.yaml): Camel's
 * FTP component with every option it has, changed in two ways so that every file of a drop folder
 * is accounted for.
 * <ul>
 * <li>Camel's file consumers skip every name that starts with a dot, and only the local {@code file}
 * component has an option against it: {@code ..name.csv} or {@code .name.csv} would wait forever,
 * unseen. This consumer takes them like any other name (with {@code ftpClient.listHiddenFiles=true}
 * the server lists them, {@code LIST -a}).</li>
 * <li>Each file of a look at the folder gets its verdict from {@link DropFolderRules} (built from the
 * endpoint's own {@code doneFileName} and {@code include} options): taken, its file's done marker,
 * or waiting with why. The verdicts of the last complete look are kept for the poll strategy
 * ({@link DropFolderPolls}) to report.</li>
 * </ul>
 * The options are Camel's; use {@code eagerMaxMessagesPerPoll=false}, so that every poll looks at
 * every file (and sorts them all before it takes the first {@code maxMessagesPerPoll}).
 */
@Component("ftp-drop")
public class DropFolderFtpComponent extends FtpComponent {

    @Override
    protected GenericFileEndpoint<FTPFile> buildFileEndpoint(String uri, String remaining, Map<String, Object> parameters)
            throws Exception {
        // as FtpComponent does, with the endpoint below
        FtpConfiguration config = new FtpConfiguration(new URI(getBaseUri(uri)));
        config.setProtocol("ftp");
        FtpUtils.ensureRelativeFtpDirectory(this, config);
        Endpoint endpoint = new Endpoint(uri, this, config);
        extractAndSetFtpClientConfigParameters(parameters, endpoint);
        extractAndSetFtpClientParameters(parameters, endpoint);
        return endpoint;
    }

    // Camel finds a component's configurers by the name on its class (FtpComponent's "ftp"): without
    // them, options on the FTP configuration (username, binary, ...) would be unknown to this subclass
    private final PropertyConfigurer componentConfigurer = new FtpComponentConfigurer();
    private final PropertyConfigurer endpointConfigurer = new FtpEndpointConfigurer();

    @Override
    public PropertyConfigurer getComponentPropertyConfigurer() {
        return componentConfigurer;
    }

    @Override
    public PropertyConfigurer getEndpointPropertyConfigurer() {
        return endpointConfigurer;
    }

    /** An FTP endpoint whose consumer is {@link Consumer}. */
    static final class Endpoint extends FtpEndpoint<FTPFile> {

        Endpoint(String uri, RemoteFileComponent<FTPFile> component, FtpConfiguration configuration) {
            super(uri, component, configuration);
        }

        @Override
        protected RemoteFileConsumer<FTPFile> buildConsumer(Processor processor) {
            try {
                GenericFileProcessStrategy<FTPFile> strategy = getProcessStrategy() != null ? getProcessStrategy()
                        : createGenericFileStrategy();
                return new Consumer(this, processor, createRemoteFileOperations(), strategy);
            } catch (Exception e) {
                throw RuntimeCamelException.wrapRuntimeCamelException(e);
            }
        }

        /** The rules of this folder, from the endpoint's own options. */
        DropFolderRules rules() {
            return new DropFolderRules(getDoneFileName() == null ? null : name -> FileUtil.stripPath(createDoneFileName(name)),
                    name -> getDoneFileName() != null && isDoneFile(name), getIncludePattern());
        }
    }

    /** The FTP consumer that sees every file, dot names included, and keeps each poll's verdicts. */
    public static final class Consumer extends FtpConsumer {

        private final DropFolderRules rules;
        private FTPFile[] judgedListing;
        private Map<String, DropFolderRules.Verdict> verdicts = Map.of();
        private Map<String, Long> sizes = Map.of();
        private volatile Look lastLook;

        /** The verdicts of one complete look at the folder, and the sizes of the files. */
        public record Look(Map<String, DropFolderRules.Verdict> verdicts, Map<String, Long> sizes) {
        }

        Consumer(RemoteFileEndpoint<FTPFile> endpoint, Processor processor, RemoteFileOperations<FTPFile> operations,
                GenericFileProcessStrategy<FTPFile> strategy) {
            super(endpoint, processor, operations, strategy);
            this.rules = ((Endpoint) endpoint).rules();
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            if (getPollStrategy() instanceof DropFolderPolls polls) {
                setExceptionHandler(polls); // what fails is reported to SourceActivity, not logged on every poll
            }
        }

        @Override
        protected int poll() throws Exception {
            judgedListing = null;
            verdicts = Map.of();
            sizes = Map.of();
            int polled;
            try {
                polled = super.poll();
            } catch (Exception e) {
                forceDisconnect(); // the next poll starts on a fresh connection, whatever state this one was left in
                throw e;
            }
            lastLook = new Look(verdicts, sizes); // a poll that throws leaves the last complete look
            return polled;
        }

        /** The last complete look at the folder (null before the first). */
        public Look lastLook() {
            return lastLook;
        }

        @Override
        protected boolean isMatchedHiddenFile(Supplier<GenericFile<FTPFile>> file, String name, boolean isDirectory) {
            // folders starting with a dot (".", "..") stay skipped; files do not
            return isDirectory ? super.isMatchedHiddenFile(file, name, true) : !name.equals(".") && !name.equals("..");
        }

        @Override
        protected boolean isValidFile(Exchange dynamic, Supplier<GenericFile<FTPFile>> file, String name, String absoluteFilePath,
                Supplier<String> relativeFilePath, boolean isDirectory, FTPFile[] files) {
            if (isDirectory) {
                return false; // the drop folder's own files only (done/ and error/ are folders in it)
            }
            if (files != judgedListing) {
                judgedListing = files;
                FTPFile[] plain = Arrays.stream(files).filter(f -> f != null && f.isFile()).toArray(FTPFile[]::new);
                verdicts = rules.judge(Arrays.stream(plain).map(FTPFile::getName).toList());
                sizes = new java.util.HashMap<>();
                Arrays.stream(plain).forEach(f -> sizes.put(f.getName(), f.getSize()));
            }
            DropFolderRules.Verdict verdict = verdicts.get(name);
            return verdict != null && verdict.take()
                    && super.isValidFile(dynamic, file, name, absoluteFilePath, relativeFilePath, false, files);
        }
    }
}
