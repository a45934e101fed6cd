// The imports a JShell session with the library starts with (shell.sh passes this file as a startup script).
import dev.rollback.*;
import dev.rollback.spi.*;
import dev.rollback.error.*;
import dev.rollback.store.*;
import dev.rollback.targets.*;
import dev.rollback.check.*;
import dev.rollback.host.*;
import dev.rollback.git.*;
import dev.rollback.db.*;
import dev.rollback.ssh.*;
import dev.rollback.docker.*;
import java.nio.file.*;
import java.time.*;
import static dev.rollback.Scope.only;
