import type * as $protobuf from "protobufjs";

/** Namespace sparta. */
export namespace sparta {

    /** Namespace handler. */
    namespace handler {

        /** Namespace v1. */
        namespace v1 {

            /**
             * Properties of an Invocation.
             * @deprecated Use sparta.handler.v1.Invocation.$Properties instead.
             */
            interface IInvocation extends sparta.handler.v1.Invocation.$Properties {
            }

            /** Represents an Invocation. */
            class Invocation {

                /**
                 * Constructs a new Invocation.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: sparta.handler.v1.Invocation.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Invocation functionName. */
                functionName: string;

                /** Invocation functionVersion. */
                functionVersion: string;

                /** Invocation invokedFunctionArn. */
                invokedFunctionArn: string;

                /** Invocation memoryLimitInMb. */
                memoryLimitInMb: number;

                /** Invocation awsRequestId. */
                awsRequestId: string;

                /** Invocation logGroupName. */
                logGroupName: string;

                /** Invocation logStreamName. */
                logStreamName: string;

                /** Invocation deadlineMs. */
                deadlineMs: number;

                /** Invocation event. */
                event: Uint8Array;

                /** Invocation traceId. */
                traceId: string;

                /**
                 * Encodes the specified Invocation message. Does not implicitly {@link sparta.handler.v1.Invocation.verify|verify} messages.
                 * @param message Invocation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: sparta.handler.v1.Invocation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an Invocation message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {sparta.handler.v1.Invocation & sparta.handler.v1.Invocation.$Shape} Invocation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): sparta.handler.v1.Invocation & sparta.handler.v1.Invocation.$Shape;

                /**
                 * Creates an Invocation message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Invocation
                 */
                static fromObject(object: { [k: string]: any }): sparta.handler.v1.Invocation;

                /**
                 * Creates a plain object from an Invocation message. Also converts values to other types if specified.
                 * @param message Invocation
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: sparta.handler.v1.Invocation, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Invocation to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Invocation
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Invocation {

                /** Properties of an Invocation. */
                interface $Properties {

                    /** Invocation functionName */
                    functionName?: (string|null);

                    /** Invocation functionVersion */
                    functionVersion?: (string|null);

                    /** Invocation invokedFunctionArn */
                    invokedFunctionArn?: (string|null);

                    /** Invocation memoryLimitInMb */
                    memoryLimitInMb?: (number|null);

                    /** Invocation awsRequestId */
                    awsRequestId?: (string|null);

                    /** Invocation logGroupName */
                    logGroupName?: (string|null);

                    /** Invocation logStreamName */
                    logStreamName?: (string|null);

                    /** Invocation deadlineMs */
                    deadlineMs?: (number|null);

                    /** Invocation event */
                    event?: (Uint8Array|null);

                    /** Invocation traceId */
                    traceId?: (string|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an Invocation. */
                type $Shape = sparta.handler.v1.Invocation.$Properties;
            }

            /**
             * Properties of a FunctionError.
             * @deprecated Use sparta.handler.v1.FunctionError.$Properties instead.
             */
            interface IFunctionError extends sparta.handler.v1.FunctionError.$Properties {
            }

            /** Represents a FunctionError. */
            class FunctionError {

                /**
                 * Constructs a new FunctionError.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: sparta.handler.v1.FunctionError.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** FunctionError errorType. */
                errorType: string;

                /** FunctionError errorMessage. */
                errorMessage: string;

                /** FunctionError stackTrace. */
                stackTrace: string[];

                /**
                 * Encodes the specified FunctionError message. Does not implicitly {@link sparta.handler.v1.FunctionError.verify|verify} messages.
                 * @param message FunctionError message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: sparta.handler.v1.FunctionError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a FunctionError message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {sparta.handler.v1.FunctionError & sparta.handler.v1.FunctionError.$Shape} FunctionError
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): sparta.handler.v1.FunctionError & sparta.handler.v1.FunctionError.$Shape;

                /**
                 * Creates a FunctionError message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns FunctionError
                 */
                static fromObject(object: { [k: string]: any }): sparta.handler.v1.FunctionError;

                /**
                 * Creates a plain object from a FunctionError message. Also converts values to other types if specified.
                 * @param message FunctionError
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: sparta.handler.v1.FunctionError, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this FunctionError to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for FunctionError
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace FunctionError {

                /** Properties of a FunctionError. */
                interface $Properties {

                    /** FunctionError errorType */
                    errorType?: (string|null);

                    /** FunctionError errorMessage */
                    errorMessage?: (string|null);

                    /** FunctionError stackTrace */
                    stackTrace?: (string[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a FunctionError. */
                type $Shape = sparta.handler.v1.FunctionError.$Properties;
            }

            /**
             * Properties of a Result.
             * @deprecated Use sparta.handler.v1.Result.$Properties instead.
             */
            interface IResult extends sparta.handler.v1.Result.$Properties {
            }

            /** Represents a Result. */
            class Result {

                /**
                 * Constructs a new Result.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: sparta.handler.v1.Result.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Result awsRequestId. */
                awsRequestId: string;

                /** Result payload. */
                payload?: (Uint8Array|null);

                /** Result error. */
                error?: (sparta.handler.v1.FunctionError.$Properties|null);

                /** Result durationUs. */
                durationUs: number;

                /** Result outcome. */
                outcome?: ("payload"|"error");

                /**
                 * Encodes the specified Result message. Does not implicitly {@link sparta.handler.v1.Result.verify|verify} messages.
                 * @param message Result message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: sparta.handler.v1.Result.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Result message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {sparta.handler.v1.Result & sparta.handler.v1.Result.$Shape} Result
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): sparta.handler.v1.Result & sparta.handler.v1.Result.$Shape;

                /**
                 * Creates a Result message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Result
                 */
                static fromObject(object: { [k: string]: any }): sparta.handler.v1.Result;

                /**
                 * Creates a plain object from a Result message. Also converts values to other types if specified.
                 * @param message Result
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: sparta.handler.v1.Result, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Result to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Result
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Result {

                /** Properties of a Result. */
                interface $Properties {

                    /** Result awsRequestId */
                    awsRequestId?: (string|null);

                    /** Result payload */
                    payload?: (Uint8Array|null);

                    /** Result error */
                    error?: (sparta.handler.v1.FunctionError.$Properties|null);

                    /** Result durationUs */
                    durationUs?: (number|null);

                    /** Result outcome */
                    outcome?: ("payload"|"error");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a Result. */
                type $Shape = {
                  awsRequestId?: string|null;
                  payload?: Uint8Array|null;
                  error?: sparta.handler.v1.FunctionError.$Shape|null;
                  durationUs?: number|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ outcome?: undefined; payload?: null; error?: null }|{ outcome?: "payload"; payload: Uint8Array; error?: null }|{ outcome?: "error"; payload?: null; error: sparta.handler.v1.FunctionError.$Shape })
                );
            }
        }
    }
}
