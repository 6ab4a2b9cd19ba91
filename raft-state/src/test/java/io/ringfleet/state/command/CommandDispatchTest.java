package io.ringfleet.state.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.ringfleet.api.Command;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.testing.Commands;
import org.junit.jupiter.api.Test;

/** The dispatcher hands every command kind of the proto to a domain's rules. */
class CommandDispatchTest {
    private static final String NO_OPERATION = "the command has no operation set (or one this version does not know)";

    @Test
    void everyCommandKindReachesADomain() {
        CommandValidator validator = new CommandValidator();
        int kinds = 0;
        // An empty command of each kind: whatever its domain rejects it for, it is not "no operation set".
        for (FieldDescriptor kind : Command.getDescriptor().getOneofs().get(0).getFields()) {
            Message empty = Command.newBuilder().newBuilderForField(kind).build();
            Command command = Command.newBuilder().setField(kind, empty).build();
            CommandResult result = validator.validate(FleetImage.EMPTY, Commands.batch(command));
            result.rejection().ifPresent(r -> assertNotEquals(NO_OPERATION, r.detail(), kind.getName()));
            kinds++;
        }
        assertEquals(Command.KindCase.values().length - 1, kinds, "every kind but KIND_NOT_SET was tried");
    }

    @Test
    void aCommandWithoutKindIsInvalid() {
        CommandResult result =
                new CommandValidator().validate(FleetImage.EMPTY, Commands.batch(Command.getDefaultInstance()));
        Rejection r = result.rejection().orElseThrow();
        assertEquals(ErrorCode.INVALID_ARGUMENT, r.code());
        assertEquals(NO_OPERATION, r.detail());
        assertEquals("kind_not_set", r.command());
    }
}
