"""HTTP APIs (API Gateway v2) through CloudFormation, into moto's API Gateway v2 backend (plain moto skips them).

AWS::ApiGatewayV2::Api, Stage, Integration, Route and Authorizer are created, updated in place (same ids, as AWS
does; replaced when their ApiId changes) and deleted, so GetApis / GetRoutes / GetIntegrations / GetStages /
GetAuthorizers see them (GetAuthorizers, which moto lacks, is added here). Ref: the API, integration, route and
authorizer ids and the stage name; Fn::GetAtt: Api ApiId and ApiEndpoint, Authorizer AuthorizerId. The API's endpoint is AWS-shaped (https://ID.execute-api.REGION.amazonaws.com);
nothing answers on it.
"""
from __future__ import annotations

import json
from typing import Any

from moto.apigatewayv2 import models as agm
from moto.apigatewayv2 import responses as agr
from moto.apigatewayv2.exceptions import ApiNotFound

from .resources import Resource, as_bool, as_int, register

backends = agm.apigatewayv2_backends


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys as the API's camelCase (CorsConfiguration, route settings ...)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


class _ApiChild(Resource):
    """A resource that belongs to one API (its ApiId): replaced when that changes, else updated in place."""

    @classmethod
    def backend(cls, account_id: str, region_name: str) -> Any:
        return backends[account_id][region_name]

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        if props.get("ApiId") != original_resource.attributes.get("ApiId"):
            original_resource.remove()
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        return cls.update(original_resource, props)


class Api(Resource):
    TYPE = "AWS::ApiGatewayV2::Api"
    ATTRIBUTES = ("ApiId", "ApiEndpoint")

    @staticmethod
    def _arguments(props: dict[str, Any]) -> dict[str, Any]:
        protocol = props.get("ProtocolType", "HTTP")
        return {
            "api_key_selection_expression": props.get("ApiKeySelectionExpression"),
            "cors_configuration": _camel(props.get("CorsConfiguration")),
            "description": props.get("Description"),
            "disable_schema_validation": props.get("DisableSchemaValidation"),
            "disable_execute_api_endpoint": props.get("DisableExecuteApiEndpoint"),
            "name": props.get("Name"),
            "route_selection_expression": props.get("RouteSelectionExpression")
            or ("$request.method $request.path" if protocol == "HTTP" else None),
            "version": props.get("Version"),
        }

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Api":
        props = cloudformation_json.get("Properties") or {}
        if props.get("Body") or props.get("BodyS3Location"):
            raise Exception("The emulator does not import OpenAPI definitions (Body, BodyS3Location)")
        api = backends[account_id][region_name].create_api(
            protocol_type=props.get("ProtocolType", "HTTP"), tags=props.get("Tags") or {}, **cls._arguments(props)
        )
        return cls(api.api_id, {"ApiId": api.api_id, "ApiEndpoint": api.api_endpoint}, account_id, region_name)

    @classmethod
    def update(cls, original: "Api", props: dict[str, Any]) -> "Api":
        backends[original.account_id][original.region_name].update_api(
            api_id=original.physical_id, **cls._arguments(props)
        )
        return cls(original.physical_id, original.attributes, original.account_id, original.region_name)

    def remove(self) -> None:
        backends[self.account_id][self.region_name].delete_api(self.physical_id)


class Stage(_ApiChild):
    TYPE = "AWS::ApiGatewayV2::Stage"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Stage":
        props = cloudformation_json.get("Properties") or {}
        config = {k: v for k, v in _camel({k: v for k, v in props.items() if k != "ApiId"}).items() if v is not None}
        stage = cls.backend(account_id, region_name).create_stage(props["ApiId"], config)
        return cls(stage.name, {"ApiId": props["ApiId"]}, account_id, region_name)

    @classmethod
    def update(cls, original: "Stage", props: dict[str, Any]) -> "Stage":
        original.remove()  # a stage is its configuration under its name: put it again
        return cls.create_from_cloudformation_json(
            original.physical_id, {"Properties": props}, original.account_id, original.region_name
        )

    def remove(self) -> None:
        try:
            self.backend(self.account_id, self.region_name).delete_stage(self.attributes["ApiId"], self.physical_id)
        except ApiNotFound:
            pass  # deleted with its API


def _integration_arguments(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "connection_id": props.get("ConnectionId"),
        "connection_type": props.get("ConnectionType"),
        "content_handling_strategy": props.get("ContentHandlingStrategy"),
        "credentials_arn": props.get("CredentialsArn"),
        "description": props.get("Description"),
        "integration_method": props.get("IntegrationMethod"),
        "integration_subtype": props.get("IntegrationSubtype"),
        "integration_type": props.get("IntegrationType"),
        "integration_uri": props.get("IntegrationUri"),
        "passthrough_behavior": props.get("PassthroughBehavior"),
        "payload_format_version": props.get("PayloadFormatVersion"),
        "request_parameters": props.get("RequestParameters"),
        "request_templates": props.get("RequestTemplates"),
        "response_parameters": _camel(props.get("ResponseParameters")),
        "template_selection_expression": props.get("TemplateSelectionExpression"),
        "timeout_in_millis": as_int(props.get("TimeoutInMillis")),
        "tls_config": _camel(props.get("TlsConfig")),
    }


class Integration(_ApiChild):
    TYPE = "AWS::ApiGatewayV2::Integration"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Integration":
        props = cloudformation_json.get("Properties") or {}
        integration = cls.backend(account_id, region_name).create_integration(
            api_id=props["ApiId"], **_integration_arguments(props)
        )
        return cls(integration.id, {"ApiId": props["ApiId"]}, account_id, region_name)

    @classmethod
    def update(cls, original: "Integration", props: dict[str, Any]) -> "Integration":
        cls.backend(original.account_id, original.region_name).update_integration(
            api_id=props["ApiId"], integration_id=original.physical_id, **_integration_arguments(props)
        )
        return cls(original.physical_id, original.attributes, original.account_id, original.region_name)

    def remove(self) -> None:
        try:
            self.backend(self.account_id, self.region_name).delete_integration(
                self.attributes["ApiId"], self.physical_id
            )
        except ApiNotFound:
            pass


def _route_arguments(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "api_key_required": as_bool(props.get("ApiKeyRequired"), False),
        "authorization_scopes": props.get("AuthorizationScopes") or [],
        "authorization_type": props.get("AuthorizationType") or "NONE",
        "authorizer_id": props.get("AuthorizerId"),
        "model_selection_expression": props.get("ModelSelectionExpression"),
        "operation_name": props.get("OperationName"),
        "request_models": props.get("RequestModels"),
        "request_parameters": _camel(props.get("RequestParameters")),
        "route_key": props.get("RouteKey"),
        "route_response_selection_expression": props.get("RouteResponseSelectionExpression"),
        "target": props.get("Target"),
    }


class Route(_ApiChild):
    TYPE = "AWS::ApiGatewayV2::Route"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Route":
        props = cloudformation_json.get("Properties") or {}
        route = cls.backend(account_id, region_name).create_route(api_id=props["ApiId"], **_route_arguments(props))
        return cls(route.route_id, {"ApiId": props["ApiId"]}, account_id, region_name)

    @classmethod
    def update(cls, original: "Route", props: dict[str, Any]) -> "Route":
        cls.backend(original.account_id, original.region_name).update_route(
            api_id=props["ApiId"], route_id=original.physical_id, **_route_arguments(props)
        )
        return cls(original.physical_id, original.attributes, original.account_id, original.region_name)

    def remove(self) -> None:
        try:
            self.backend(self.account_id, self.region_name).delete_route(self.attributes["ApiId"], self.physical_id)
        except ApiNotFound:
            pass


def _authorizer_arguments(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "auth_creds_arn": props.get("AuthorizerCredentialsArn"),
        "auth_payload_format_version": props.get("AuthorizerPayloadFormatVersion"),
        "auth_result_ttl": as_int(props.get("AuthorizerResultTtlInSeconds")),
        "authorizer_uri": props.get("AuthorizerUri"),
        "authorizer_type": props.get("AuthorizerType"),
        "enable_simple_response": (
            None if props.get("EnableSimpleResponses") is None else as_bool(props.get("EnableSimpleResponses"), False)
        ),
        "identity_source": props.get("IdentitySource"),
        "identity_validation_expr": props.get("IdentityValidationExpression"),
        "jwt_config": _camel(props.get("JwtConfiguration")),
        "name": props.get("Name"),
    }


class Authorizer(_ApiChild):
    """Updated in place, as AWS does for every property but ApiId; a property the new template leaves out is reset
    (CloudFormation sends the whole new property set), not kept as moto's PATCH-style update_authorizer would."""

    TYPE = "AWS::ApiGatewayV2::Authorizer"
    ATTRIBUTES = ("AuthorizerId",)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Authorizer":
        props = cloudformation_json.get("Properties") or {}
        authorizer = cls.backend(account_id, region_name).create_authorizer(
            api_id=props["ApiId"], **_authorizer_arguments(props)
        )
        attributes = {"ApiId": props["ApiId"], "AuthorizerId": authorizer.id}
        return cls(authorizer.id, attributes, account_id, region_name)

    @classmethod
    def update(cls, original: "Authorizer", props: dict[str, Any]) -> "Authorizer":
        authorizer = cls.backend(original.account_id, original.region_name).get_authorizer(
            props["ApiId"], original.physical_id
        )
        for field, value in _authorizer_arguments(props).items():
            setattr(authorizer, field, value)
        return cls(original.physical_id, original.attributes, original.account_id, original.region_name)

    def remove(self) -> None:
        try:
            self.backend(self.account_id, self.region_name).delete_authorizer(
                self.attributes["ApiId"], self.physical_id
            )
        except ApiNotFound:
            pass


def _get_authorizers(self: Any) -> Any:
    """GetAuthorizers (GET /v2/apis/{apiId}/authorizers): every authorizer of the API, unpaginated."""
    api = self.apigatewayv2_backend.get_api(self.path.split("/")[-2])
    return 200, {}, json.dumps({"items": [a.to_json() for a in api.authorizers.values()]})


agr.ApiGatewayV2Response.get_authorizers = _get_authorizers  # type: ignore[attr-defined]

register()
