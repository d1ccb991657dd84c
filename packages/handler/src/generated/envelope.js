/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError, $TypeError = $util.global.TypeError, $String = $util.global.String, $Number = $util.global.Number, $parseInt = $util.global.parseInt, $BigInt = $util.global.BigInt, $Array = $util.global.Array;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const sparta = $root.sparta = (() => {

    /**
     * Namespace sparta.
     * @exports sparta
     * @namespace
     */
    const sparta = {};

    sparta.handler = (function() {

        /**
         * Namespace handler.
         * @memberof sparta
         * @namespace
         */
        const handler = {};

        handler.v1 = (function() {

            /**
             * Namespace v1.
             * @memberof sparta.handler
             * @namespace
             */
            const v1 = {};

            v1.Invocation = (function() {

                /**
                 * Properties of an Invocation.
                 * @typedef {Object} sparta.handler.v1.Invocation.$Properties
                 * @property {string|null} [functionName] Invocation functionName
                 * @property {string|null} [functionVersion] Invocation functionVersion
                 * @property {string|null} [invokedFunctionArn] Invocation invokedFunctionArn
                 * @property {number|null} [memoryLimitInMb] Invocation memoryLimitInMb
                 * @property {string|null} [awsRequestId] Invocation awsRequestId
                 * @property {string|null} [logGroupName] Invocation logGroupName
                 * @property {string|null} [logStreamName] Invocation logStreamName
                 * @property {number|null} [deadlineMs] Invocation deadlineMs
                 * @property {Uint8Array|null} [event] Invocation event
                 * @property {string|null} [traceId] Invocation traceId
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of an Invocation.
                 * @memberof sparta.handler.v1
                 * @interface IInvocation
                 * @augments sparta.handler.v1.Invocation.$Properties
                 * @deprecated Use sparta.handler.v1.Invocation.$Properties instead.
                 */

                /**
                 * Shape of an Invocation.
                 * @typedef {sparta.handler.v1.Invocation.$Properties} sparta.handler.v1.Invocation.$Shape
                 */

                /**
                 * Constructs a new Invocation.
                 * @memberof sparta.handler.v1
                 * @classdesc Represents an Invocation.
                 * @constructor
                 * @param {sparta.handler.v1.Invocation.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const Invocation = function (properties) {
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * Invocation functionName.
                 * @member {string} functionName
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.functionName = "";

                /**
                 * Invocation functionVersion.
                 * @member {string} functionVersion
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.functionVersion = "";

                /**
                 * Invocation invokedFunctionArn.
                 * @member {string} invokedFunctionArn
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.invokedFunctionArn = "";

                /**
                 * Invocation memoryLimitInMb.
                 * @member {number} memoryLimitInMb
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.memoryLimitInMb = 0;

                /**
                 * Invocation awsRequestId.
                 * @member {string} awsRequestId
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.awsRequestId = "";

                /**
                 * Invocation logGroupName.
                 * @member {string} logGroupName
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.logGroupName = "";

                /**
                 * Invocation logStreamName.
                 * @member {string} logStreamName
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.logStreamName = "";

                /**
                 * Invocation deadlineMs.
                 * @member {number} deadlineMs
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.deadlineMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

                /**
                 * Invocation event.
                 * @member {Uint8Array} event
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.event = $util.newBuffer([]);

                /**
                 * Invocation traceId.
                 * @member {string} traceId
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 */
                Invocation.prototype.traceId = "";

                /**
                 * Encodes the specified Invocation message. Does not implicitly {@link sparta.handler.v1.Invocation.verify|verify} messages.
                 * @function encode
                 * @memberof sparta.handler.v1.Invocation
                 * @static
                 * @param {sparta.handler.v1.Invocation.$Properties} message Invocation message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                Invocation.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.functionName != null && $Object.hasOwnProperty.call(message, "functionName") && message.functionName !== "")
                        writer.uint32(/* id 1, wireType 2 =*/10).string(message.functionName);
                    if (message.functionVersion != null && $Object.hasOwnProperty.call(message, "functionVersion") && message.functionVersion !== "")
                        writer.uint32(/* id 2, wireType 2 =*/18).string(message.functionVersion);
                    if (message.invokedFunctionArn != null && $Object.hasOwnProperty.call(message, "invokedFunctionArn") && message.invokedFunctionArn !== "")
                        writer.uint32(/* id 3, wireType 2 =*/26).string(message.invokedFunctionArn);
                    if (message.memoryLimitInMb != null && $Object.hasOwnProperty.call(message, "memoryLimitInMb") && message.memoryLimitInMb !== 0)
                        writer.uint32(/* id 4, wireType 0 =*/32).int32(message.memoryLimitInMb);
                    if (message.awsRequestId != null && $Object.hasOwnProperty.call(message, "awsRequestId") && message.awsRequestId !== "")
                        writer.uint32(/* id 5, wireType 2 =*/42).string(message.awsRequestId);
                    if (message.logGroupName != null && $Object.hasOwnProperty.call(message, "logGroupName") && message.logGroupName !== "")
                        writer.uint32(/* id 6, wireType 2 =*/50).string(message.logGroupName);
                    if (message.logStreamName != null && $Object.hasOwnProperty.call(message, "logStreamName") && message.logStreamName !== "")
                        writer.uint32(/* id 7, wireType 2 =*/58).string(message.logStreamName);
                    if (message.deadlineMs != null && $Object.hasOwnProperty.call(message, "deadlineMs") && (typeof message.deadlineMs === "object" ? message.deadlineMs.low || message.deadlineMs.high : message.deadlineMs !== 0))
                        writer.uint32(/* id 8, wireType 0 =*/64).int64(message.deadlineMs);
                    if (message.event != null && $Object.hasOwnProperty.call(message, "event") && message.event.length)
                        writer.uint32(/* id 9, wireType 2 =*/74).bytes(message.event);
                    if (message.traceId != null && $Object.hasOwnProperty.call(message, "traceId") && message.traceId !== "")
                        writer.uint32(/* id 10, wireType 2 =*/82).string(message.traceId);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes an Invocation message from the specified reader or buffer.
                 * @function decode
                 * @memberof sparta.handler.v1.Invocation
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {sparta.handler.v1.Invocation & sparta.handler.v1.Invocation.$Shape} Invocation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                Invocation.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.sparta.handler.v1.Invocation();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.functionName = value;
                                else
                                    delete message.functionName;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.functionVersion = value;
                                else
                                    delete message.functionVersion;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.invokedFunctionArn = value;
                                else
                                    delete message.invokedFunctionArn;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.memoryLimitInMb = value;
                                else
                                    delete message.memoryLimitInMb;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.awsRequestId = value;
                                else
                                    delete message.awsRequestId;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.logGroupName = value;
                                else
                                    delete message.logGroupName;
                                continue;
                            }
                        case 7: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.logStreamName = value;
                                else
                                    delete message.logStreamName;
                                continue;
                            }
                        case 8: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                    message.deadlineMs = value;
                                else
                                    delete message.deadlineMs;
                                continue;
                            }
                        case 9: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.bytes()).length)
                                    message.event = value;
                                else
                                    delete message.event;
                                continue;
                            }
                        case 10: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.traceId = value;
                                else
                                    delete message.traceId;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                /**
                 * Creates an Invocation message from a plain object. Also converts values to their respective internal types.
                 * @function fromObject
                 * @memberof sparta.handler.v1.Invocation
                 * @static
                 * @param {Object.<string,*>} object Plain object
                 * @returns {sparta.handler.v1.Invocation} Invocation
                 */
                Invocation.fromObject = function (object, _depth) {
                    if (object instanceof $root.sparta.handler.v1.Invocation)
                        return object;
                    if (!$util.isObject(object))
                        throw $TypeError(".sparta.handler.v1.Invocation: object expected");
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    let message = new $root.sparta.handler.v1.Invocation();
                    if (object.functionName != null)
                        if (typeof object.functionName !== "string" || object.functionName.length)
                            message.functionName = $String(object.functionName);
                    if (object.functionVersion != null)
                        if (typeof object.functionVersion !== "string" || object.functionVersion.length)
                            message.functionVersion = $String(object.functionVersion);
                    if (object.invokedFunctionArn != null)
                        if (typeof object.invokedFunctionArn !== "string" || object.invokedFunctionArn.length)
                            message.invokedFunctionArn = $String(object.invokedFunctionArn);
                    if (object.memoryLimitInMb != null)
                        if ($Number(object.memoryLimitInMb) !== 0)
                            message.memoryLimitInMb = object.memoryLimitInMb | 0;
                    if (object.awsRequestId != null)
                        if (typeof object.awsRequestId !== "string" || object.awsRequestId.length)
                            message.awsRequestId = $String(object.awsRequestId);
                    if (object.logGroupName != null)
                        if (typeof object.logGroupName !== "string" || object.logGroupName.length)
                            message.logGroupName = $String(object.logGroupName);
                    if (object.logStreamName != null)
                        if (typeof object.logStreamName !== "string" || object.logStreamName.length)
                            message.logStreamName = $String(object.logStreamName);
                    if (object.deadlineMs != null)
                        if (typeof object.deadlineMs === "object" ? object.deadlineMs.low || object.deadlineMs.high : $Number(object.deadlineMs) !== 0)
                            if ($util.Long)
                                message.deadlineMs = $util.Long.fromValue(object.deadlineMs, false);
                            else if (typeof object.deadlineMs === "string")
                                message.deadlineMs = $parseInt(object.deadlineMs, 10);
                            else if (typeof object.deadlineMs === "number")
                                message.deadlineMs = object.deadlineMs;
                            else if (typeof object.deadlineMs === "object")
                                message.deadlineMs = new $util.LongBits(object.deadlineMs.low >>> 0, object.deadlineMs.high >>> 0).toNumber();
                    if (object.event != null)
                        if (object.event.length)
                            if (typeof object.event === "string")
                                $util.base64.decode(object.event, message.event = $util.newBuffer($util.base64.length(object.event)), 0);
                            else if (object.event.length >= 0)
                                message.event = object.event;
                    if (object.traceId != null)
                        if (typeof object.traceId !== "string" || object.traceId.length)
                            message.traceId = $String(object.traceId);
                    return message;
                };

                /**
                 * Creates a plain object from an Invocation message. Also converts values to other types if specified.
                 * @function toObject
                 * @memberof sparta.handler.v1.Invocation
                 * @static
                 * @param {sparta.handler.v1.Invocation} message Invocation
                 * @param {$protobuf.IConversionOptions} [options] Conversion options
                 * @returns {Object.<string,*>} Plain object
                 */
                Invocation.toObject = function (message, options, _depth) {
                    if (!options)
                        options = {};
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    let object = {};
                    if (options.defaults) {
                        object.functionName = "";
                        object.functionVersion = "";
                        object.invokedFunctionArn = "";
                        object.memoryLimitInMb = 0;
                        object.awsRequestId = "";
                        object.logGroupName = "";
                        object.logStreamName = "";
                        if ($util.Long) {
                            let long = new $util.Long(0, 0, false);
                            object.deadlineMs = options.longs === $String ? long.toString() : options.longs === $Number ? long.toNumber() : typeof $BigInt !== "undefined" && options.longs === $BigInt ? long.toBigInt() : long;
                        } else
                            object.deadlineMs = options.longs === $String ? "0" : typeof $BigInt !== "undefined" && options.longs === $BigInt ? $BigInt("0") : 0;
                        if (options.bytes === $String)
                            object.event = "";
                        else {
                            object.event = [];
                            if (options.bytes !== $Array)
                                object.event = $util.newBuffer(object.event);
                        }
                        object.traceId = "";
                    }
                    if (message.functionName != null && $Object.hasOwnProperty.call(message, "functionName"))
                        object.functionName = message.functionName;
                    if (message.functionVersion != null && $Object.hasOwnProperty.call(message, "functionVersion"))
                        object.functionVersion = message.functionVersion;
                    if (message.invokedFunctionArn != null && $Object.hasOwnProperty.call(message, "invokedFunctionArn"))
                        object.invokedFunctionArn = message.invokedFunctionArn;
                    if (message.memoryLimitInMb != null && $Object.hasOwnProperty.call(message, "memoryLimitInMb"))
                        object.memoryLimitInMb = message.memoryLimitInMb;
                    if (message.awsRequestId != null && $Object.hasOwnProperty.call(message, "awsRequestId"))
                        object.awsRequestId = message.awsRequestId;
                    if (message.logGroupName != null && $Object.hasOwnProperty.call(message, "logGroupName"))
                        object.logGroupName = message.logGroupName;
                    if (message.logStreamName != null && $Object.hasOwnProperty.call(message, "logStreamName"))
                        object.logStreamName = message.logStreamName;
                    if (message.deadlineMs != null && $Object.hasOwnProperty.call(message, "deadlineMs"))
                        if (typeof $BigInt !== "undefined" && options.longs === $BigInt)
                            object.deadlineMs = typeof message.deadlineMs === "number" ? $BigInt(message.deadlineMs) : $util.Long.fromBits(message.deadlineMs.low >>> 0, message.deadlineMs.high >>> 0, false).toBigInt();
                        else if (typeof message.deadlineMs === "number")
                            object.deadlineMs = options.longs === $String ? $String(message.deadlineMs) : message.deadlineMs;
                        else
                            object.deadlineMs = options.longs === $String ? $util.Long.prototype.toString.call(message.deadlineMs) : options.longs === $Number ? new $util.LongBits(message.deadlineMs.low >>> 0, message.deadlineMs.high >>> 0).toNumber() : message.deadlineMs;
                    if (message.event != null && $Object.hasOwnProperty.call(message, "event"))
                        object.event = options.bytes === $String ? $util.base64.encode(message.event, 0, message.event.length) : options.bytes === $Array ? $Array.prototype.slice.call(message.event) : message.event;
                    if (message.traceId != null && $Object.hasOwnProperty.call(message, "traceId"))
                        object.traceId = message.traceId;
                    return object;
                };

                /**
                 * Converts this Invocation to JSON.
                 * @function toJSON
                 * @memberof sparta.handler.v1.Invocation
                 * @instance
                 * @returns {Object.<string,*>} JSON object
                 */
                Invocation.prototype.toJSON = function() {
                    return Invocation.toObject(this, $protobuf.util.toJSONOptions);
                };

                /**
                 * Gets the type url for Invocation
                 * @function getTypeUrl
                 * @memberof sparta.handler.v1.Invocation
                 * @static
                 * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns {string} The type url
                 */
                Invocation.getTypeUrl = function(prefix) {
                    if (prefix === $undefined)
                        prefix = "type.googleapis.com";
                    return prefix + "/sparta.handler.v1.Invocation";
                };

                return Invocation;
            })();

            v1.FunctionError = (function() {

                /**
                 * Properties of a FunctionError.
                 * @typedef {Object} sparta.handler.v1.FunctionError.$Properties
                 * @property {string|null} [errorType] FunctionError errorType
                 * @property {string|null} [errorMessage] FunctionError errorMessage
                 * @property {Array.<string>|null} [stackTrace] FunctionError stackTrace
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of a FunctionError.
                 * @memberof sparta.handler.v1
                 * @interface IFunctionError
                 * @augments sparta.handler.v1.FunctionError.$Properties
                 * @deprecated Use sparta.handler.v1.FunctionError.$Properties instead.
                 */

                /**
                 * Shape of a FunctionError.
                 * @typedef {sparta.handler.v1.FunctionError.$Properties} sparta.handler.v1.FunctionError.$Shape
                 */

                /**
                 * Constructs a new FunctionError.
                 * @memberof sparta.handler.v1
                 * @classdesc Represents a FunctionError.
                 * @constructor
                 * @param {sparta.handler.v1.FunctionError.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const FunctionError = function (properties) {
                    this.stackTrace = [];
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * FunctionError errorType.
                 * @member {string} errorType
                 * @memberof sparta.handler.v1.FunctionError
                 * @instance
                 */
                FunctionError.prototype.errorType = "";

                /**
                 * FunctionError errorMessage.
                 * @member {string} errorMessage
                 * @memberof sparta.handler.v1.FunctionError
                 * @instance
                 */
                FunctionError.prototype.errorMessage = "";

                /**
                 * FunctionError stackTrace.
                 * @member {Array.<string>} stackTrace
                 * @memberof sparta.handler.v1.FunctionError
                 * @instance
                 */
                FunctionError.prototype.stackTrace = $util.emptyArray;

                /**
                 * Encodes the specified FunctionError message. Does not implicitly {@link sparta.handler.v1.FunctionError.verify|verify} messages.
                 * @function encode
                 * @memberof sparta.handler.v1.FunctionError
                 * @static
                 * @param {sparta.handler.v1.FunctionError.$Properties} message FunctionError message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                FunctionError.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.errorType != null && $Object.hasOwnProperty.call(message, "errorType") && message.errorType !== "")
                        writer.uint32(/* id 1, wireType 2 =*/10).string(message.errorType);
                    if (message.errorMessage != null && $Object.hasOwnProperty.call(message, "errorMessage") && message.errorMessage !== "")
                        writer.uint32(/* id 2, wireType 2 =*/18).string(message.errorMessage);
                    if (message.stackTrace != null && message.stackTrace.length)
                        for (let i = 0; i < message.stackTrace.length; ++i)
                            writer.uint32(/* id 3, wireType 2 =*/26).string(message.stackTrace[i]);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes a FunctionError message from the specified reader or buffer.
                 * @function decode
                 * @memberof sparta.handler.v1.FunctionError
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {sparta.handler.v1.FunctionError & sparta.handler.v1.FunctionError.$Shape} FunctionError
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                FunctionError.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.sparta.handler.v1.FunctionError();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.errorType = value;
                                else
                                    delete message.errorType;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.errorMessage = value;
                                else
                                    delete message.errorMessage;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.stackTrace && message.stackTrace.length))
                                    message.stackTrace = [];
                                message.stackTrace.push(reader.stringVerify());
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                /**
                 * Creates a FunctionError message from a plain object. Also converts values to their respective internal types.
                 * @function fromObject
                 * @memberof sparta.handler.v1.FunctionError
                 * @static
                 * @param {Object.<string,*>} object Plain object
                 * @returns {sparta.handler.v1.FunctionError} FunctionError
                 */
                FunctionError.fromObject = function (object, _depth) {
                    if (object instanceof $root.sparta.handler.v1.FunctionError)
                        return object;
                    if (!$util.isObject(object))
                        throw $TypeError(".sparta.handler.v1.FunctionError: object expected");
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    let message = new $root.sparta.handler.v1.FunctionError();
                    if (object.errorType != null)
                        if (typeof object.errorType !== "string" || object.errorType.length)
                            message.errorType = $String(object.errorType);
                    if (object.errorMessage != null)
                        if (typeof object.errorMessage !== "string" || object.errorMessage.length)
                            message.errorMessage = $String(object.errorMessage);
                    if (object.stackTrace) {
                        if (!$Array.isArray(object.stackTrace))
                            throw $TypeError(".sparta.handler.v1.FunctionError.stackTrace: array expected");
                        message.stackTrace = $Array(object.stackTrace.length);
                        for (let i = 0; i < object.stackTrace.length; ++i)
                            message.stackTrace[i] = $String(object.stackTrace[i]);
                    }
                    return message;
                };

                /**
                 * Creates a plain object from a FunctionError message. Also converts values to other types if specified.
                 * @function toObject
                 * @memberof sparta.handler.v1.FunctionError
                 * @static
                 * @param {sparta.handler.v1.FunctionError} message FunctionError
                 * @param {$protobuf.IConversionOptions} [options] Conversion options
                 * @returns {Object.<string,*>} Plain object
                 */
                FunctionError.toObject = function (message, options, _depth) {
                    if (!options)
                        options = {};
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    let object = {};
                    if (options.arrays || options.defaults)
                        object.stackTrace = [];
                    if (options.defaults) {
                        object.errorType = "";
                        object.errorMessage = "";
                    }
                    if (message.errorType != null && $Object.hasOwnProperty.call(message, "errorType"))
                        object.errorType = message.errorType;
                    if (message.errorMessage != null && $Object.hasOwnProperty.call(message, "errorMessage"))
                        object.errorMessage = message.errorMessage;
                    if (message.stackTrace && message.stackTrace.length) {
                        object.stackTrace = $Array(message.stackTrace.length);
                        for (let j = 0; j < message.stackTrace.length; ++j)
                            object.stackTrace[j] = message.stackTrace[j];
                    }
                    return object;
                };

                /**
                 * Converts this FunctionError to JSON.
                 * @function toJSON
                 * @memberof sparta.handler.v1.FunctionError
                 * @instance
                 * @returns {Object.<string,*>} JSON object
                 */
                FunctionError.prototype.toJSON = function() {
                    return FunctionError.toObject(this, $protobuf.util.toJSONOptions);
                };

                /**
                 * Gets the type url for FunctionError
                 * @function getTypeUrl
                 * @memberof sparta.handler.v1.FunctionError
                 * @static
                 * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns {string} The type url
                 */
                FunctionError.getTypeUrl = function(prefix) {
                    if (prefix === $undefined)
                        prefix = "type.googleapis.com";
                    return prefix + "/sparta.handler.v1.FunctionError";
                };

                return FunctionError;
            })();

            v1.Result = (function() {

                /**
                 * Properties of a Result.
                 * @typedef {Object} sparta.handler.v1.Result.$Properties
                 * @property {string|null} [awsRequestId] Result awsRequestId
                 * @property {Uint8Array|null} [payload] Result payload
                 * @property {sparta.handler.v1.FunctionError.$Properties|null} [error] Result error
                 * @property {number|null} [durationUs] Result durationUs
                 * @property {"payload"|"error"} [outcome] Result outcome
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of a Result.
                 * @memberof sparta.handler.v1
                 * @interface IResult
                 * @augments sparta.handler.v1.Result.$Properties
                 * @deprecated Use sparta.handler.v1.Result.$Properties instead.
                 */

                /**
                 * Narrowed shape of a Result.
                 * @typedef {{
                 *   awsRequestId?: string|null;
                 *   payload?: Uint8Array|null;
                 *   error?: sparta.handler.v1.FunctionError.$Shape|null;
                 *   durationUs?: number|null;
                 *   $unknowns?: Array.<Uint8Array>;
                 * } & (
                 *   ({ outcome?: undefined; payload?: null; error?: null }|{ outcome?: "payload"; payload: Uint8Array; error?: null }|{ outcome?: "error"; payload?: null; error: sparta.handler.v1.FunctionError.$Shape })
                 * )} sparta.handler.v1.Result.$Shape
                 */

                /**
                 * Constructs a new Result.
                 * @memberof sparta.handler.v1
                 * @classdesc Represents a Result.
                 * @constructor
                 * @param {sparta.handler.v1.Result.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const Result = function (properties) {
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * Result awsRequestId.
                 * @member {string} awsRequestId
                 * @memberof sparta.handler.v1.Result
                 * @instance
                 */
                Result.prototype.awsRequestId = "";

                /**
                 * Result payload.
                 * @member {Uint8Array|null|undefined} payload
                 * @memberof sparta.handler.v1.Result
                 * @instance
                 */
                Result.prototype.payload = null;

                /**
                 * Result error.
                 * @member {sparta.handler.v1.FunctionError.$Properties|null|undefined} error
                 * @memberof sparta.handler.v1.Result
                 * @instance
                 */
                Result.prototype.error = null;

                /**
                 * Result durationUs.
                 * @member {number} durationUs
                 * @memberof sparta.handler.v1.Result
                 * @instance
                 */
                Result.prototype.durationUs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

                // OneOf field names bound to virtual getters and setters
                let $oneOfFields;

                /**
                 * Result outcome.
                 * @member {"payload"|"error"|undefined} outcome
                 * @memberof sparta.handler.v1.Result
                 * @instance
                 */
                $Object.defineProperty(Result.prototype, "outcome", {
                    get: $util.oneOfGetter($oneOfFields = ["payload", "error"]),
                    set: $util.oneOfSetter($oneOfFields)
                });

                /**
                 * Encodes the specified Result message. Does not implicitly {@link sparta.handler.v1.Result.verify|verify} messages.
                 * @function encode
                 * @memberof sparta.handler.v1.Result
                 * @static
                 * @param {sparta.handler.v1.Result.$Properties} message Result message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                Result.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.awsRequestId != null && $Object.hasOwnProperty.call(message, "awsRequestId") && message.awsRequestId !== "")
                        writer.uint32(/* id 1, wireType 2 =*/10).string(message.awsRequestId);
                    if (message.payload != null && $Object.hasOwnProperty.call(message, "payload"))
                        writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.payload);
                    if (message.error != null && $Object.hasOwnProperty.call(message, "error"))
                        $root.sparta.handler.v1.FunctionError.encode(message.error, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                    if (message.durationUs != null && $Object.hasOwnProperty.call(message, "durationUs") && (typeof message.durationUs === "object" ? message.durationUs.low || message.durationUs.high : message.durationUs !== 0))
                        writer.uint32(/* id 4, wireType 0 =*/32).int64(message.durationUs);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes a Result message from the specified reader or buffer.
                 * @function decode
                 * @memberof sparta.handler.v1.Result
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {sparta.handler.v1.Result & sparta.handler.v1.Result.$Shape} Result
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                Result.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.sparta.handler.v1.Result();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.awsRequestId = value;
                                else
                                    delete message.awsRequestId;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                message.payload = reader.bytes();
                                message.outcome = "payload";
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                message.error = $root.sparta.handler.v1.FunctionError.decode(reader, reader.size(), $undefined, _depth + 1, message.error);
                                message.outcome = "error";
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                    message.durationUs = value;
                                else
                                    delete message.durationUs;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                /**
                 * Creates a Result message from a plain object. Also converts values to their respective internal types.
                 * @function fromObject
                 * @memberof sparta.handler.v1.Result
                 * @static
                 * @param {Object.<string,*>} object Plain object
                 * @returns {sparta.handler.v1.Result} Result
                 */
                Result.fromObject = function (object, _depth) {
                    if (object instanceof $root.sparta.handler.v1.Result)
                        return object;
                    if (!$util.isObject(object))
                        throw $TypeError(".sparta.handler.v1.Result: object expected");
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    let message = new $root.sparta.handler.v1.Result();
                    if (object.awsRequestId != null)
                        if (typeof object.awsRequestId !== "string" || object.awsRequestId.length)
                            message.awsRequestId = $String(object.awsRequestId);
                    if (object.payload != null)
                        if (typeof object.payload === "string")
                            $util.base64.decode(object.payload, message.payload = $util.newBuffer($util.base64.length(object.payload)), 0);
                        else if (object.payload.length >= 0)
                            message.payload = object.payload;
                    if (object.error != null) {
                        if (!$util.isObject(object.error))
                            throw $TypeError(".sparta.handler.v1.Result.error: object expected");
                        message.error = $root.sparta.handler.v1.FunctionError.fromObject(object.error, _depth + 1);
                    }
                    if (object.durationUs != null)
                        if (typeof object.durationUs === "object" ? object.durationUs.low || object.durationUs.high : $Number(object.durationUs) !== 0)
                            if ($util.Long)
                                message.durationUs = $util.Long.fromValue(object.durationUs, false);
                            else if (typeof object.durationUs === "string")
                                message.durationUs = $parseInt(object.durationUs, 10);
                            else if (typeof object.durationUs === "number")
                                message.durationUs = object.durationUs;
                            else if (typeof object.durationUs === "object")
                                message.durationUs = new $util.LongBits(object.durationUs.low >>> 0, object.durationUs.high >>> 0).toNumber();
                    return message;
                };

                /**
                 * Creates a plain object from a Result message. Also converts values to other types if specified.
                 * @function toObject
                 * @memberof sparta.handler.v1.Result
                 * @static
                 * @param {sparta.handler.v1.Result} message Result
                 * @param {$protobuf.IConversionOptions} [options] Conversion options
                 * @returns {Object.<string,*>} Plain object
                 */
                Result.toObject = function (message, options, _depth) {
                    if (!options)
                        options = {};
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    let object = {};
                    if (options.defaults) {
                        object.awsRequestId = "";
                        if ($util.Long) {
                            let long = new $util.Long(0, 0, false);
                            object.durationUs = options.longs === $String ? long.toString() : options.longs === $Number ? long.toNumber() : typeof $BigInt !== "undefined" && options.longs === $BigInt ? long.toBigInt() : long;
                        } else
                            object.durationUs = options.longs === $String ? "0" : typeof $BigInt !== "undefined" && options.longs === $BigInt ? $BigInt("0") : 0;
                    }
                    if (message.awsRequestId != null && $Object.hasOwnProperty.call(message, "awsRequestId"))
                        object.awsRequestId = message.awsRequestId;
                    if (message.payload != null && $Object.hasOwnProperty.call(message, "payload")) {
                        object.payload = options.bytes === $String ? $util.base64.encode(message.payload, 0, message.payload.length) : options.bytes === $Array ? $Array.prototype.slice.call(message.payload) : message.payload;
                        if (options.oneofs)
                            object.outcome = "payload";
                    }
                    if (message.error != null && $Object.hasOwnProperty.call(message, "error")) {
                        object.error = $root.sparta.handler.v1.FunctionError.toObject(message.error, options, _depth + 1);
                        if (options.oneofs)
                            object.outcome = "error";
                    }
                    if (message.durationUs != null && $Object.hasOwnProperty.call(message, "durationUs"))
                        if (typeof $BigInt !== "undefined" && options.longs === $BigInt)
                            object.durationUs = typeof message.durationUs === "number" ? $BigInt(message.durationUs) : $util.Long.fromBits(message.durationUs.low >>> 0, message.durationUs.high >>> 0, false).toBigInt();
                        else if (typeof message.durationUs === "number")
                            object.durationUs = options.longs === $String ? $String(message.durationUs) : message.durationUs;
                        else
                            object.durationUs = options.longs === $String ? $util.Long.prototype.toString.call(message.durationUs) : options.longs === $Number ? new $util.LongBits(message.durationUs.low >>> 0, message.durationUs.high >>> 0).toNumber() : message.durationUs;
                    return object;
                };

                /**
                 * Converts this Result to JSON.
                 * @function toJSON
                 * @memberof sparta.handler.v1.Result
                 * @instance
                 * @returns {Object.<string,*>} JSON object
                 */
                Result.prototype.toJSON = function() {
                    return Result.toObject(this, $protobuf.util.toJSONOptions);
                };

                /**
                 * Gets the type url for Result
                 * @function getTypeUrl
                 * @memberof sparta.handler.v1.Result
                 * @static
                 * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns {string} The type url
                 */
                Result.getTypeUrl = function(prefix) {
                    if (prefix === $undefined)
                        prefix = "type.googleapis.com";
                    return prefix + "/sparta.handler.v1.Result";
                };

                return Result;
            })();

            return v1;
        })();

        return handler;
    })();

    return sparta;
})();

export {
  $root as default
};
